package lm

import "testing"

// BenchmarkDecodeFull2048 decodes a 2,048-byte text (text0's inputs)
// under full attention in float64; the metric is bytes (tokens) per
// second.
func BenchmarkDecodeFull2048(b *testing.B) {
	m := loadModel(b)
	text := readText(b, "text0")
	opt := decodeOpts("full", 1<<20, 4, 0)
	b.ResetTimer()
	for range b.N {
		if _, err := m.Decode(text, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*(len(text)-1))/b.Elapsed().Seconds(), "tokens/s")
}
