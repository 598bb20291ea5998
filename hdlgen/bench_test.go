package hdlgen

import (
	"testing"
	"time"

	"github.com/swatsim/swatsim/dataflow"
)

// benchPoints are the designs of the speed comparison: a small core and
// the default core (arithmetic and PEs as dataflow.Default) on a shorter
// sequence.
var benchPoints = []point{
	{"small-fixed16", []string{"arith=fixed16", "model.seq_len=2048", "model.window=64", "model.head_dim=16",
		"hw.pes=4", "hw.vector_width=4"}, 1},
	{"default-n512", []string{"model.seq_len=512"}, 1},
}

// BenchmarkSpeed compares the simulation speed of the Verilator build of
// the RTL with the Go cycle model (dataflow.Sequencer) on the same design and
// stall pattern, in simulated cycles per second of wall time. The
// Verilator build is cached; the first run of a design builds it.
func BenchmarkSpeed(b *testing.B) {
	if _, err := LookTool("verilator"); err != nil {
		b.Skip(err)
	}
	for _, pt := range benchPoints {
		d, err := dataflow.Load("", append([]string{"name=" + pt.name}, pt.sets...))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(pt.name+"/verilator", func(b *testing.B) { benchVerilator(b, d, pt) })
		b.Run(pt.name+"/model", func(b *testing.B) { benchModel(b, d) })
	}
}

func benchVerilator(b *testing.B, d *dataflow.Design, pt point) {
	q, k, v := RandomInputs(d, 1, pt.sigma)
	res, err := Cosim(d, q, k, v, 1, 20) // build outside the timer
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s; simulator %s in %.0f s", res.Summary(), map[bool]string{true: "cached", false: "built"}[res.Sim.Cached], res.Sim.BuildTime.Seconds())
	b.ResetTimer()
	var cycles int64
	var sim time.Duration
	for i := 0; i < b.N; i++ {
		res, err := Cosim(d, q, k, v, 1, 20)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Pass {
			b.Fatal(res.Report())
		}
		cycles += res.RTLCycles
		sim += res.SimTime
	}
	b.ReportMetric(float64(cycles)/sim.Seconds(), "cycles/s")
}

func benchModel(b *testing.B, d *dataflow.Design) {
	st := dataflow.StallPattern{Seed: 1, Percent: 20}
	var cycles int64
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e := dataflow.NewSequencer(dataflow.NewSchedule(d), d.Timing(), 0)
		e.Run(st, -1)
		cycles += e.Cycle()
	}
	b.ReportMetric(float64(cycles)/time.Since(start).Seconds(), "cycles/s")
}
