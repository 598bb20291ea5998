package explore

import (
	"bytes"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// benchSpace has 1,000 hardware points at the default shape (4096 x 64,
// window 512): 10 PE counts x 5 vector widths x 20 clocks.
const benchSpace = `fields:
  hw.pes: {from: 2, to: 20, step: 2}
  hw.vector_width: [4, 8, 16, 32, 64]
  hw.clock_mhz: {from: 100, to: 575, step: 25}
objectives:
  latency_s: min
  energy_j: min
`

func benchRun(b *testing.B, workers int, eval Evaluator) {
	s, err := ParseSpace([]byte(benchSpace), ".")
	if err != nil {
		b.Fatal(err)
	}
	if n := len(s.Indices()); n != 1000 {
		b.Fatalf("%d points, want 1000", n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := &Runner{Space: s, Dir: b.TempDir(), Workers: workers, Eval: eval, Warn: &bytes.Buffer{}}
		sum, err := r.Run()
		if err != nil || sum.Evaluated != 1000 || sum.Failed != 0 {
			b.Fatalf("%+v %v", sum, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*1000), "ms/point")
}

// BenchmarkExplore1000 runs the 1,000-point timing-only space through the
// cycle model on 2 workers.
func BenchmarkExplore1000(b *testing.B) { benchRun(b, 2, nil) }

// BenchmarkPointOverhead runs the same space on 1 worker with the model
// replaced by a canned report: what explore costs per point beyond the
// model (resolving the design, hashing, decoding the report for the
// constraints, storing the record).
func BenchmarkPointOverhead(b *testing.B) {
	report, err := SimEvaluator(dataflow.Default())
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, 1, func(*dataflow.Design) ([]byte, error) { return report, nil })
}
