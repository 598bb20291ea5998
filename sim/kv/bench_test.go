package kv

import (
	"testing"
)

// BenchmarkDecodeSteps measures decode steps per second of the whole model
// (oracle, full reference, policy, memory accounting and the Akita cycle
// model) for one policy on an 8-head, D=64 layer of 1024 tokens.
func BenchmarkDecodeSteps(b *testing.B) {
	q, k, v := synth(b, 8, 1024, 64, 1)
	for _, sp := range []Spec{{"h2o", 256}, {"quest", 256}, {"full", 1024}, {"kivi", 1}, {"pq", 1}, {"shadowkv", 256}, {"moba", 256}, {"duo", 256}} {
		b.Run(sp.Policy, func(b *testing.B) {
			s, err := MakeBuilder().WithPrompt(512).WithSteps(128).Build(q, k, v)
			if err != nil {
				b.Fatal(err)
			}
			steps := 0
			for b.Loop() {
				if _, err := s.Run([]Spec{sp}); err != nil {
					b.Fatal(err)
				}
				steps += s.Steps()
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
