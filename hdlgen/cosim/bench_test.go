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

// benchPoints are the designs of the speed comparison: a small core, the
// default design (the simulator TestCosimDefaultDesign builds, D = 64)
// and the default design at D = 16 (what swatsim cosim --set
// model.head_dim=16 runs: issue 9's D = 16 point, whose RTL it measured
// at 80 k cycles/s).
var benchPoints = []point{
	{"small-fixed16", []string{"arith=fixed16", "model.seq_len=2048", "model.window=64", "model.head_dim=16",
		"hw.pes=4", "hw.vector_width=4"}, 1},
	{"default", nil, 1},
	{"default-d16", []string{"model.head_dim=16"}, 1},
}

// BenchmarkSpeed compares, in one run, the simulation speed of the
// Verilator build of the RTL with the Go models on the same design point:
// the schedule's cycle model (dataflow.Sequencer, same stall pattern) and the
// Akita platform model (sim.Run: functional, timing-only event by event
// with --exact, and timing-only as swatsim sim runs it, through the
// steady-state shortcut where it applies), in simulated core cycles per
// second of wall time, and each Go model's x-verilator: its cycles/s over
// the RTL's. Neither side counts process start-up (the testbench's is
// measured and taken off; the Go models run in this process). At the RTL's
// lengths (2,048 and 4,096 tokens) the shortcut does not pay, so that run
// is event by event too; the long variant runs the same design at 16x the
// length, where it does, against the RTL's cycles/s at its own length
// (docs/speed.md).
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
		long := *d
		long.Model.SeqLen *= 16
		var rtl float64 // the RTL's cycles/s
		b.Run(pt.name+"/verilator", func(b *testing.B) { rtl = benchVerilator(b, d, pt) })
		b.Run(pt.name+"/model", func(b *testing.B) { reportRatio(b, benchModel(b, d), rtl) })
		b.Run(pt.name+"/platform-functional", func(b *testing.B) { reportRatio(b, benchPlatform(b, d, pt, sim.Options{}), rtl) })
		b.Run(pt.name+"/platform-timing-only-exact", func(b *testing.B) {
			reportRatio(b, benchPlatform(b, d, pt, sim.Options{TimingOnly: true, Exact: true}), rtl)
		})
		b.Run(pt.name+"/platform-timing-only", func(b *testing.B) {
			reportRatio(b, benchPlatform(b, d, pt, sim.Options{TimingOnly: true}), rtl)
		})
		b.Run(pt.name+"/platform-timing-only-16x-length", func(b *testing.B) {
			reportRatio(b, benchPlatform(b, &long, pt, sim.Options{TimingOnly: true}), rtl)
		})
	}
}

// reportRatio reports a Go model's cycles/s over the RTL's.
func reportRatio(b *testing.B, cyclesPerS, rtl float64) {
	if rtl > 0 {
		b.ReportMetric(cyclesPerS/rtl, "x-verilator")
	}
}

func benchVerilator(b *testing.B, d *dataflow.Design, pt point) float64 {
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
	return float64(cycles) / sim.Seconds()
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

// minPlatformTime is the least wall time of one benchmark iteration of a
// Go model: its runs take milliseconds, the RTL's seconds, so each
// iteration repeats the run until this much time has passed and the
// figure is the throughput over all of them, not one run's timer noise
// and first-run warm-up (-benchtime 3x gives the RTL 3 runs).
const minPlatformTime = 300 * time.Millisecond

// benchPlatform runs the Akita platform model (sim.Run with opt) on the
// design: the same design point as the Verilator run, its own memory
// system, in core cycles per second (returned and reported). It logs
// whether the steady-state shortcut ran.
func benchPlatform(b *testing.B, d *dataflow.Design, pt point, opt sim.Options) float64 {
	var in *sim.Inputs
	if !opt.TimingOnly {
		q, k, v := RandomInputs(d, 1, pt.sigma)
		in = &sim.Inputs{Q: q, K: k, V: v}
	}
	var cycles, runs int64
	var sc *sim.Shortcut
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for start := time.Now(); time.Since(start) < minPlatformTime; {
			res, err := sim.Run(d, in, opt)
			if err != nil {
				b.Fatal(err)
			}
			cycles += res.Report.CoreCycles
			runs++
			sc = res.Shortcut
		}
	}
	b.Logf("%d tokens, %d core cycles a run, %d runs, shortcut %+v", d.Model.SeqLen, cycles/runs, runs, sc)
	r := float64(cycles) / b.Elapsed().Seconds()
	b.ReportMetric(r, "cycles/s")
	return r
}

// benchModel runs the schedule's cycle model with the RTL run's stall
// pattern, in cycles per second (returned and reported).
func benchModel(b *testing.B, d *dataflow.Design) float64 {
	st := dataflow.StallPattern{Seed: 1, Percent: 20}
	var cycles int64
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e := dataflow.NewSequencer(dataflow.NewSchedule(d), d.Timing(), 0)
		e.Run(st, -1)
		cycles += e.Cycle()
	}
	r := float64(cycles) / time.Since(start).Seconds()
	b.ReportMetric(r, "cycles/s")
	return r
}
