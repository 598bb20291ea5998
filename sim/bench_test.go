package sim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/sim"
)

func benchRun(b *testing.B, in *sim.Inputs, timingOnly bool, sets ...string) {
	benchOpt(b, in, sim.Options{TimingOnly: timingOnly}, sets...)
}

func benchOpt(b *testing.B, in *sim.Inputs, opt sim.Options, sets ...string) {
	d := design(b, sets...)
	var cycles int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := sim.Run(d, in, opt)
		if err != nil {
			b.Fatal(err)
		}
		cycles = res.Report.Cycles
	}
	b.ReportMetric(float64(cycles)*float64(b.N)/b.Elapsed().Seconds(), "sim-cycles/s")
	b.ReportMetric(float64(cycles), "cycles")
}

// longLayer is the speed target: a 65,536-token, 32-query-head,
// 8-K/V-head, head-dim-128, W=4096 causal layer on 8 cores.
var longLayer = []string{"model.seq_len=65536", "model.heads=32", "model.kv_heads=8", "model.head_dim=128", "model.window=4096", "hw.cores=8"}

// BenchmarkTimingOnlyLongLayer is the long layer in timing-only mode, as
// swatsim sim runs it: through the steady-state shortcut.
func BenchmarkTimingOnlyLongLayer(b *testing.B) { benchRun(b, nil, true, longLayer...) }

// BenchmarkTimingOnlyLongLayerExact is the long layer run event by event,
// every token (swatsim sim --exact).
func BenchmarkTimingOnlyLongLayerExact(b *testing.B) {
	benchOpt(b, nil, sim.Options{TimingOnly: true, Exact: true}, longLayer...)
}

// BenchmarkAnalyticLongLayer is the same layer's closed-form report.
func BenchmarkAnalyticLongLayer(b *testing.B) {
	d := design(b, longLayer...)
	var cycles int64
	for i := 0; i < b.N; i++ {
		r, err := sim.Analytic(d)
		if err != nil {
			b.Fatal(err)
		}
		cycles = r.Cycles
	}
	b.ReportMetric(float64(cycles)*float64(b.N)/b.Elapsed().Seconds(), "sim-cycles/s")
}

// BenchmarkTimingOnlyDefault is the embedded default design, timing only.
func BenchmarkTimingOnlyDefault(b *testing.B) { benchRun(b, nil, true) }

// BenchmarkFunctional4096 is the default design (4,096 tokens) with values.
func BenchmarkFunctional4096(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	in := &sim.Inputs{Q: randTensor(r, 1, 4096, 64), K: randTensor(r, 1, 4096, 64), V: randTensor(r, 1, 4096, 64)}
	benchRun(b, in, false)
}

// BenchmarkDenseBaseline16384 is the dense baseline at 16,384 tokens.
func BenchmarkDenseBaseline16384(b *testing.B) {
	benchRun(b, nil, true, "arch=dense", "model.seq_len=16384")
}

// BenchmarkFunctionalFourCores is a functional GQA layer on four cores:
// 8 query heads, 2 K/V heads, 2,048 tokens, the default core otherwise.
func BenchmarkFunctionalFourCores(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	in := &sim.Inputs{Q: randTensor(r, 8, 2048, 64), K: randTensor(r, 2, 2048, 64), V: randTensor(r, 2, 2048, 64)}
	benchRun(b, in, false, "model.heads=8", "model.kv_heads=2", "model.seq_len=2048", "hw.cores=4")
}
