package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newSimCmd) }

type simFlags struct {
	design                 *designFlags
	q, k, v                string
	seed                   uint64
	arith                  string
	timingOnly             bool
	out, report, trace     string
	cpuprofile, memprofile string
	traceBlocks            int
	baseline               bool
	allowOverfit           bool
	exact                  bool
}

func newSimCmd() *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the cycle-level model of a design point (default: the embedded design)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runSim(cmd.OutOrStdout(), cmd.ErrOrStderr(), f) },
	}
	f.design = addDesignFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.q, "q", "", "query .npy ([N,D] or [H,N,D]); with --k and --v")
	fl.StringVar(&f.k, "k", "", "key .npy")
	fl.StringVar(&f.v, "v", "", "value .npy")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic Q/K/V when no tensors are given")
	fl.StringVar(&f.arith, "arith", "", "arithmetic preset or custom:k=v,... (overrides the design's arith)")
	fl.BoolVar(&f.timingOnly, "timing-only", false, "no values: timing, traffic and energy only (for long sequences)")
	fl.StringVar(&f.out, "out", "", "write O as float64 .npy")
	fl.StringVar(&f.report, "report", "", "write the report as JSON")
	fl.StringVar(&f.trace, "trace", "", "write a Chrome/Perfetto trace-event timeline (JSON)")
	fl.IntVar(&f.traceBlocks, "trace-blocks", 4096, "blocks recorded in the timeline")
	fl.BoolVar(&f.baseline, "baseline", false, "also run the dense and flash baselines on the same budget (timing only) and report the ratios (vs_dense, vs_flash)")
	fl.BoolVar(&f.allowOverfit, "allow-overfit", false, "run a design whose resource estimate exceeds its device (the report says fits: false)")
	fl.BoolVar(&f.exact, "exact", false, "with --timing-only: run every token event by event instead of the steady-state shortcut (same report, slower; docs/speed.md)")
	fl.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile (pprof)")
	fl.StringVar(&f.memprofile, "memprofile", "", "write a heap profile (pprof)")
	return cmd
}

// loadDesign checks the flags, reads the tensors (if any) and builds the
// design point. Given tensors set model.heads, seq_len and head_dim unless
// the config or --set name them (then they must agree).
func (f *simFlags) loadDesign() (*dataflow.Design, *sim.Inputs, error) {
	if f.timingOnly && (f.out != "" || f.q != "") {
		return nil, nil, fmt.Errorf("--timing-only computes no values: drop --out and --q/--k/--v")
	}
	if f.traceBlocks < 1 {
		return nil, nil, fmt.Errorf("--trace-blocks = %d: must be >= 1", f.traceBlocks)
	}
	if (f.q != "" || f.k != "" || f.v != "") && (f.q == "" || f.k == "" || f.v == "") {
		return nil, nil, fmt.Errorf("--q, --k and --v go together: give all three or none")
	}
	if err := f.checkPaths(); err != nil {
		return nil, nil, err
	}
	in, err := f.readInputs()
	if err != nil {
		return nil, nil, err
	}
	var pre, post []string
	if in != nil {
		pre = append(shapeSets(in.Q), fmt.Sprint("model.kv_heads=", in.K.H))
	}
	if f.arith != "" {
		post = append(post, "arith="+f.arith)
	}
	d, err := f.design.loadAround(pre, post)
	if err != nil {
		return nil, nil, err
	}
	if !f.timingOnly {
		if err := checkMemory("sim", d.Model.Heads, d.Model.SeqLen, d.Model.HeadDim, bytesPerElemSim); err != nil {
			return nil, nil, fmt.Errorf("%v (or use --timing-only)", err)
		}
	}
	if in == nil && !f.timingOnly {
		in, err = synthetic(d, f.seed)
	}
	return d, in, err
}

// checkPaths tests the output paths before the run.
func (f *simFlags) checkPaths() error {
	return checkPaths([]outfile.Path{{Flag: "--out", Path: f.out}, {Flag: "--report", Path: f.report}, {Flag: "--trace", Path: f.trace},
		{Flag: "--cpuprofile", Path: f.cpuprofile}, {Flag: "--memprofile", Path: f.memprofile}},
		outfile.Path{Flag: "--q", Path: f.q}, outfile.Path{Flag: "--k", Path: f.k}, outfile.Path{Flag: "--v", Path: f.v},
		outfile.Path{Flag: "--config", Path: f.design.config})
}

func runSim(stdout, stderr io.Writer, f *simFlags) error {
	d, in, err := f.loadDesign()
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(f.cpuprofile)
	if err != nil {
		return err
	}
	warnDRAMTime(stderr, d)
	var progress atomic.Int64
	done := showProgress(stderr, &progress)
	start := time.Now()
	res, err := sim.Run(d, in, sim.Options{TimingOnly: f.timingOnly, TraceBlocks: f.traceBlocks * boolInt(f.trace != ""), Progress: &progress, AllowOverfit: f.allowOverfit, Exact: f.exact})
	done()
	if err == nil {
		noteShortcut(stderr, d, res.Shortcut)
	}
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if f.cpuprofile != "" {
		if err := printProfileTop(stderr, f.cpuprofile, 8); err != nil {
			return err
		}
	}
	printSummary(stdout, d, res, time.Since(start))
	if err := f.compareRef(stdout, d, in, res); err != nil {
		return err
	}
	if f.baseline {
		if err := runBaseline(stdout, d, res); err != nil {
			return err
		}
	}
	return f.writeOutputs(d, res)
}

// noteShortcut says on stderr that the report came from the steady-state
// shortcut (nothing when every token was run).
func noteShortcut(w io.Writer, d *dataflow.Design, sc *sim.Shortcut) {
	if sc == nil {
		return
	}
	fmt.Fprintf(w, "swatsim: steady-state shortcut: event-by-event runs of %v tokens, extrapolated %d periods of %d tokens to %d tokens (the report is the full run's; --exact runs every token)\n",
		sc.Lengths, sc.Steps, sc.Period, d.Model.SeqLen)
}

// dramCyclesPerSecond is the speed of memory.model=dram, measured with
// sim --timing-only --set memory.model=dram (529917 cycles in 212 s on the
// shared two-core build machine).
const dramCyclesPerSecond = 2500

// warnDRAMTime warns before a memory.model=dram run expected to take more
// than a minute: the cycles come from a quick run of the bandwidth model.
func warnDRAMTime(w io.Writer, d *dataflow.Design) {
	if d.Memory.Model != "dram" {
		return
	}
	bw := *d
	bw.Memory.Model = "bandwidth"
	res, err := sim.Run(&bw, nil, sim.Options{TimingOnly: true})
	if err != nil {
		return
	}
	if s := float64(res.Report.Cycles) / dramCyclesPerSecond; s > 60 {
		fmt.Fprintf(w, "swatsim: warning: memory.model=dram simulates every DRAM command: about %d cycles at ~%d cycles/s is roughly %.0f minutes; memory.model=bandwidth takes seconds\n",
			res.Report.Cycles, dramCyclesPerSecond, s/60)
	}
}

// runBaseline runs the dense and flash baselines of the design point
// (timing only, or analytic when too long to simulate beat by beat: see
// sim.BaselineReport; same PEs, lanes, cores and memory) and records the ratios
// in the report: vs_dense and vs_flash (baseline / this run), and the
// SWAT-vs-dense comparison of dense_baseline (for a dense run, the SWAT
// design is the other side).
func runBaseline(w io.Writer, d *dataflow.Design, res *sim.Result) error {
	runs := map[string]*sim.Report{d.Arch: &res.Report}
	for _, arch := range []string{dataflow.ArchSWAT, dataflow.ArchDense, dataflow.ArchFlash} {
		if runs[arch] != nil {
			continue
		}
		other := *d
		other.Arch = arch
		b, err := sim.BaselineReport(&other)
		if err != nil {
			return fmt.Errorf("baseline %s: %v", arch, err)
		}
		runs[arch] = &b
	}
	r := &res.Report
	r.VsDense, r.VsFlash = r.CompareWith(runs[dataflow.ArchDense]), r.CompareWith(runs[dataflow.ArchFlash])
	sw, dn := runs[dataflow.ArchSWAT], runs[dataflow.ArchDense]
	r.Baseline = &sim.Baseline{DenseCycles: dn.Cycles, DenseLatencyS: dn.LatencyS, DenseEnergyJ: dn.EnergyJ, DenseOffchipBytes: dn.OffchipBytes,
		Speedup: dn.LatencyS / sw.LatencyS, EnergyRatio: dn.EnergyJ / sw.EnergyJ}
	for _, c := range []struct {
		name string
		x    *sim.Ratios
	}{{"dense", r.VsDense}, {"flash", r.VsFlash}} {
		fmt.Fprintf(w, "vs %-8s %s baseline (%s) %d cycles (%.6g s), %.6g J, %d B off-chip: this design is %.2fx faster, %.2fx less energy, %.2fx fewer off-chip bytes\n",
			c.name, c.name, c.x.Mode, c.x.Cycles, c.x.LatencyS, c.x.EnergyJ, c.x.OffchipBytes, c.x.Latency, c.x.Energy, c.x.Offchip)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readInputs reads --q, --k and --v (nil when not given).
func (f *simFlags) readInputs() (*sim.Inputs, error) {
	if f.q == "" {
		return nil, nil
	}
	in := &sim.Inputs{}
	for _, t := range []struct {
		path string
		dst  **reference.Tensor
	}{{f.q, &in.Q}, {f.k, &in.K}, {f.v, &in.V}} {
		var err error
		if *t.dst, err = traces.ReadTensor(t.path); err != nil {
			return nil, err
		}
	}
	return in, reference.CheckGQA(in.Q, in.K, in.V)
}

// synthetic generates Q/K/V of the design's shape: K and V keep their
// first kv_heads heads.
func synthetic(d *dataflow.Design, seed uint64) (*sim.Inputs, error) {
	q, k, v, err := traces.Generate(traces.SynthParamsFor(seed, d.Model.Heads, d.Model.SeqLen, d.Model.HeadDim))
	if err != nil {
		return nil, fmt.Errorf("synthetic inputs: %v", err)
	}
	return &sim.Inputs{Q: q, K: firstHeads(k, d.KVHeads()), V: firstHeads(v, d.KVHeads())}, nil
}

// firstHeads is the tensor's first n heads (the tensor itself when it has
// n).
func firstHeads(t *reference.Tensor, n int) *reference.Tensor {
	if n == t.H {
		return t
	}
	return &reference.Tensor{H: n, N: t.N, D: t.D, Rank: 3, Data: t.Data[:n*t.N*t.D]}
}

// compareRef checks the functional output against the reference path (the
// model must equal it bit for bit) and prints the error against float64.
func (f *simFlags) compareRef(w io.Writer, d *dataflow.Design, in *sim.Inputs, res *sim.Result) error {
	if in == nil {
		return nil
	}
	a, _ := d.ArithSpec()
	ref, err := reference.Attend(in.Q, in.K, in.V, reference.Options{Mask: d.Mask(), Scale: d.Model.Scale, Arith: a})
	if err != nil {
		return err
	}
	if n := ref.Saturated.Total(); n > 0 {
		fmt.Fprintf(w, "saturated   %d input elements clipped to the %d-bit code range (q %d, k %d, v %d): the output is not the attention of the given values\n",
			n, ref.Kernel.A.InBits, ref.Saturated.Q, ref.Saturated.K, ref.Saturated.V)
	}
	diff := 0
	for i := range ref.Codes {
		if ref.Codes[i] != res.Codes[i] {
			diff++
		}
	}
	if diff > 0 {
		return fmt.Errorf("internal error: %d of %d output codes differ from the reference hardware path", diff, len(ref.Codes))
	}
	f64, _ := reference.Preset("float64")
	fl, err := reference.Attend(in.Q, in.K, in.V, reference.Options{Mask: d.Mask(), Scale: d.Model.Scale, Arith: f64})
	if err != nil {
		return err
	}
	e, _ := reference.Compare(res.O.Data, fl.O.Data)
	fmt.Fprintf(w, "output      bit-exact with `swatsim ref --arith %s`; vs float64: max-abs %.3g, rel-L2 %.3g, cosine %.9f\n", d.Arith, e.MaxAbs, e.RelL2, e.Cosine)
	return nil
}

func (f *simFlags) writeOutputs(d *dataflow.Design, res *sim.Result) error {
	var staged []*pendingFile
	for _, o := range []struct {
		path string
		data func() ([]byte, error)
	}{
		{f.report, func() ([]byte, error) { return json.MarshalIndent(res.Report, "", "  ") }},
		{f.trace, func() ([]byte, error) { return sim.ChromeTrace(d, res) }},
	} {
		if o.path == "" {
			continue
		}
		b, err := o.data()
		if err != nil {
			discard(staged)
			return err
		}
		p, err := stage(o.path, b)
		if err != nil {
			discard(staged)
			return err
		}
		staged = append(staged, p)
	}
	if f.out != "" {
		o, err := traces.StageAll(traces.Output{Path: f.out, Shape: res.O.Shape(), Data: res.O.Data, DType: "float64"})
		if err != nil {
			discard(staged)
			return err
		}
		staged = append(staged, o...)
	}
	if f.memprofile != "" {
		var buf bytes.Buffer
		if err := pprof.WriteHeapProfile(&buf); err != nil {
			discard(staged)
			return fmt.Errorf("--memprofile: %v", err)
		}
		p, err := stage(f.memprofile, buf.Bytes())
		if err != nil {
			discard(staged)
			return err
		}
		staged = append(staged, p)
	}
	return commit(staged)
}

// startCPUProfile profiles the run into path; the returned function stops
// and writes the profile.
func startCPUProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	fh, err := outfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile %v", err)
	}
	if err := pprof.StartCPUProfile(fh); err != nil {
		outfile.Discard(fh)
		return nil, fmt.Errorf("--cpuprofile: %v", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return outfile.Commit(fh)
	}, nil
}
