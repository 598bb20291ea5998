package cosim

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
	"github.com/swatsim/swatsim/sim"
)

// benchPoints are the designs of the speed comparison: a small core and
// the default design (the simulator TestCosimDefaultDesign builds).
var benchPoints = []point{
	{"small-fixed16", []string{"arith=fixed16", "model.seq_len=2048", "model.window=64", "model.head_dim=16",
		"hw.pes=4", "hw.vector_width=4"}, 1},
	{"default", nil, 1},
}

// BenchmarkSpeed compares, in one run, the simulation speed of the
// Verilator build of the RTL with the Go models on the same design point:
// the schedule's cycle model (dataflow.Sequencer, same stall pattern) and the
// Akita platform model (sim.Run, functional and timing-only), in simulated
// core cycles per second of wall time. Neither side counts process
// start-up (the testbench's is measured and taken off). The Verilator
// build is cached; the first run of a design builds it.
//
//	go test ./hdlgen/cosim -run XXX -bench Speed -benchtime 3x
func BenchmarkSpeed(b *testing.B) {
	if _, err := tool.Look("verilator"); err != nil {
		b.Skip(err)
	}
	for _, pt := range benchPoints {
		d, err := dataflow.Load("", append([]string{"name=" + pt.name}, pt.sets...))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(pt.name+"/verilator", func(b *testing.B) { benchVerilator(b, d, pt) })
		b.Run(pt.name+"/model", func(b *testing.B) { benchModel(b, d) })
		b.Run(pt.name+"/platform-functional", func(b *testing.B) { benchPlatform(b, d, pt, false) })
		b.Run(pt.name+"/platform-timing-only", func(b *testing.B) { benchPlatform(b, d, pt, true) })
	}
}

func benchVerilator(b *testing.B, d *dataflow.Design, pt point) {
	q, k, v := RandomInputs(d, 1, pt.sigma)
	res, err := Run(d, q, k, v, 1, 20) // build outside the timer
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s; simulator %s in %.0f s", res.Summary(), map[bool]string{true: "cached", false: "built"}[res.Sim.Cached], res.Sim.BuildTime.Seconds())
	startup := startupTime(b, res.Sim.Path)
	b.ResetTimer()
	var cycles int64
	var sim time.Duration
	for i := 0; i < b.N; i++ {
		res, err := Run(d, q, k, v, 1, 20)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Pass {
			b.Fatal(res.Report())
		}
		cycles += res.RTLCycles
		sim += res.SimTime - startup
	}
	b.ReportMetric(float64(cycles)/sim.Seconds(), "cycles/s")
	b.ReportMetric(float64(startup.Microseconds()), "startup-us")
}

// startupTime is the testbench's process start-up (exec, Verilator's
// runtime, a failed open of its stimulus), the median of 5, which the
// speed comparison takes off the simulation time: neither side counts
// process start-up.
func startupTime(b *testing.B, path string) time.Duration {
	var ts []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		_, _ = tool.Run(context.Background(), "", path, "/nonexistent/stim.txt", "/dev/null")
		ts = append(ts, time.Since(start))
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// benchPlatform runs the Akita platform model (sim.Run, functional or
// timing-only) on the design: the same design point as the Verilator
// run, its own memory system, in core cycles per second.
func benchPlatform(b *testing.B, d *dataflow.Design, pt point, timingOnly bool) {
	var in *sim.Inputs
	if !timingOnly {
		q, k, v := RandomInputs(d, 1, pt.sigma)
		in = &sim.Inputs{Q: q, K: k, V: v}
	}
	var cycles int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := sim.Run(d, in, sim.Options{TimingOnly: timingOnly})
		if err != nil {
			b.Fatal(err)
		}
		cycles += res.Report.CoreCycles
	}
	b.ReportMetric(float64(cycles)/b.Elapsed().Seconds(), "cycles/s")
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
