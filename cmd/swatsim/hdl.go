package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/cosim"
	"github.com/swatsim/swatsim/hdlgen/synth"
	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newHDLCmd, newCosimCmd, newSynthCmd) }

func newHDLCmd() *cobra.Command {
	var df *designFlags
	var out, arith string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "hdl [--config D.yaml] [--set key=value]... --out DIR",
		Short: "Generate the Verilog of a design point's attention core, its testbench and scripts",
		Long: `hdl writes the synthesizable Verilog of the design point's core (one module per
unit: exp ROM and unit, score, dot slice, SV lane, reciprocal, PE, RAM, mask,
controller, top swat_core), the Verilator C++ testbench (tb/tb.cpp), Yosys
scripts (synth_<target>.ys, flat, and synth_<target>_hier.ys), a Makefile
(make lint | sim | run | synth-xc7) and stim.txt, a stimulus of synthetic
inputs (seeded by --seed) for make run, into DIR. The files are written
into a temporary directory beside DIR and moved into place only when all
are ready, so a failed run leaves no partial directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHDL(cmd.OutOrStdout(), df, arith, out, seed)
		},
	}
	df = addDesignFlags(cmd)
	addArithFlag(cmd, &arith)
	cmd.Flags().StringVar(&out, "out", "", "output directory (created if missing; required)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the synthetic inputs in stim.txt")
	return cmd
}

func runHDL(w io.Writer, df *designFlags, arith, out string, seed uint64) error {
	if out == "" {
		return errors.New("--out is required: the directory for the generated files")
	}
	d, err := df.load(arithSets(arith)...)
	if err != nil {
		return err
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return err
	}
	q, k, v, err := cosim.Inputs(d, seed)
	if err != nil {
		return err
	}
	err = writeDirAtomic(out, func(dir string) error {
		if err := r.WriteDir(dir); err != nil {
			return err
		}
		return cosim.WriteStimulus(filepath.Join(dir, "stim.txt"), d, q, k, v)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %d files for design point %q to %s:\n", len(r.Files())+1, d.Name, out)
	for _, f := range r.Files() {
		fmt.Fprintf(w, "  %s\n", f.Name)
	}
	fmt.Fprintf(w, "  stim.txt (synthetic inputs, seed %d)\nnext: make -C %s lint | sim | run | synth-xc7\n", seed, out)
	return nil
}

// writeDirAtomic lets write fill a temporary directory beside out, then
// moves it into place: renamed to out when out does not exist or is an
// empty directory, else file by file into it. A failed write leaves
// nothing behind.
func writeDirAtomic(out string, write func(dir string) error) error {
	st, err := os.Stat(out)
	exists := err == nil
	switch {
	case exists && !st.IsDir():
		return fmt.Errorf("--out %s: exists and is not a directory", out)
	case !exists && !os.IsNotExist(err):
		return fmt.Errorf("--out %w", err)
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("--out %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp*")
	if err != nil {
		return fmt.Errorf("--out %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("--out %w", err)
	}
	if err := write(tmp); err != nil {
		return err
	}
	if !exists || isEmptyDir(out) {
		_ = os.Remove(out) // an empty directory gives way
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("--out %w", err)
		}
		return nil
	}
	return moveInto(tmp, out)
}

func isEmptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
}

// moveInto renames every file under src to the same place under dst.
func moveInto(src, dst string) error {
	return filepath.WalkDir(src, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := os.Rename(path, target); err != nil {
			return fmt.Errorf("--out %w", err)
		}
		return nil
	})
}

// cosimFlags are the flags of swatsim cosim.
type cosimFlags struct {
	design       *designFlags
	arith        string
	seed         uint64
	stalls       bool
	stallPercent int
	vcd          string
	vcdFrom      int64
	vcdTo        int64
	q, k, v      string
	work         string
}

func newCosimCmd() *cobra.Command {
	var f cosimFlags
	cmd := &cobra.Command{
		Use:   "cosim [--config D.yaml] [--set k=v]... [--seed N] [--stalls] [--stall-percent P] [--vcd FILE] [--q Q.npy --k K.npy --v V.npy]",
		Short: "Co-simulate the generated Verilog against the reference and the cycle model",
		Long: `cosim generates the core's Verilog, builds it with Verilator (cached by a hash
of the sources under ~/.cache/swatsim/verilator), runs it on Q, K and V and
compares every output code with the bit-exact reference and every q, kv and
o transfer cycle with the cycle model (dataflow.Sequencer). It prints PASS or
FAIL with both cycle counts and exits non-zero on FAIL.

Without --q/--k/--v the inputs are synthetic (traces.Generate, seeded by
--seed) of the design's shape [heads, seq_len, head_dim]. --stalls holds the
ports off with the seeded pattern of dataflow/SCHEDULE.md (20% of cycles
unless --stall-percent says otherwise).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCosim(cmd, &f)
		},
	}
	f.design = addDesignFlags(cmd)
	addArithFlag(cmd, &f.arith)
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic inputs and of the stall pattern")
	fl.BoolVar(&f.stalls, "stalls", false, "hold the stream ports off with the seeded stall pattern")
	fl.IntVar(&f.stallPercent, "stall-percent", 20, "share of cycles each port is held off, in [0, 99] (implies --stalls)")
	fl.StringVar(&f.vcd, "vcd", "", "write a waveform (VCD) of the run to this file (builds with --trace; slow)")
	fl.Int64Var(&f.vcdFrom, "vcd-from", 0, "first cycle in the waveform")
	fl.Int64Var(&f.vcdTo, "vcd-to", -1, "last cycle in the waveform (-1: the end)")
	fl.StringVar(&f.q, "q", "", "query .npy of the design's shape (with --k and --v)")
	fl.StringVar(&f.k, "k", "", "key .npy")
	fl.StringVar(&f.v, "v", "", "value .npy")
	fl.StringVar(&f.work, "work-dir", "", "keep the stimulus and the testbench output in this directory")
	return cmd
}

func runCosim(cmd *cobra.Command, f *cosimFlags) error {
	q, k, v, err := cosimTensors(f)
	if err != nil {
		return err
	}
	var pre []string
	if q != nil {
		pre = append(shapeSets(q), fmt.Sprint("model.kv_heads=", k.H))
	}
	if err := f.checkVCD(cmd); err != nil {
		return err
	}
	d, err := f.design.loadAround(pre, arithSets(f.arith))
	if err != nil {
		return err
	}
	pct := 0
	if f.stalls || cmd.Flags().Changed("stall-percent") {
		pct = f.stallPercent
	}
	if pct < 0 || pct > 99 {
		return fmt.Errorf("--stall-percent = %d: must be in [0, 99]", pct)
	}
	if q == nil {
		if q, k, v, err = cosim.Inputs(d, f.seed); err != nil {
			return err
		}
	}
	opts := []cosim.Option{cosim.WithContext(cmd.Context())}
	if f.vcd != "" {
		opts = append(opts, cosim.WithVCD(f.vcd, f.vcdFrom, f.vcdTo))
	}
	if f.work != "" {
		opts = append(opts, cosim.WithWorkDir(f.work))
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "co-simulating %q (first build of a design takes a while; cached afterwards)\n", d.Name)
	res, err := cosim.Run(d, q, k, v, f.seed, pct, opts...)
	if err != nil {
		return err
	}
	printCosim(w, res)
	if f.vcd != "" {
		warnVCD(cmd.ErrOrStderr(), f, res)
	}
	if !res.Pass {
		return errors.New("co-simulation failed")
	}
	return nil
}

// checkVCD rejects a waveform request that cannot give a waveform: a file
// in a directory that does not exist, a negative or inverted window, or a
// window without --vcd.
func (f *cosimFlags) checkVCD(cmd *cobra.Command) error {
	if f.vcd == "" {
		for _, n := range []string{"vcd-from", "vcd-to"} {
			if cmd.Flags().Changed(n) {
				return fmt.Errorf("--%s needs --vcd FILE", n)
			}
		}
		return nil
	}
	if err := checkPaths([]outfile.Path{{Flag: "--vcd", Path: f.vcd}}); err != nil {
		return err
	}
	if f.vcdFrom < 0 {
		return fmt.Errorf("--vcd-from = %d: must be >= 0 (a cycle number)", f.vcdFrom)
	}
	if f.vcdTo < -1 {
		return fmt.Errorf("--vcd-to = %d: must be >= --vcd-from or -1 (the end)", f.vcdTo)
	}
	if f.vcdTo >= 0 && f.vcdTo < f.vcdFrom {
		return fmt.Errorf("--vcd-to = %d: must be >= --vcd-from = %d (or -1: the end)", f.vcdTo, f.vcdFrom)
	}
	return nil
}

// warnVCD warns when the waveform window missed the run.
func warnVCD(w io.Writer, f *cosimFlags, res *cosim.Result) {
	if end := res.RTLCycles + cosim.DrainCycles; f.vcdFrom >= end {
		fmt.Fprintf(w, "swatsim: warning: --vcd-from = %d is past the run's last cycle %d: the waveform %s holds no cycles\n", f.vcdFrom, end-1, f.vcd)
	}
}

func printCosim(w io.Writer, res *cosim.Result) {
	fmt.Fprintln(w, res.Summary())
	for _, e := range res.Errors {
		fmt.Fprintf(w, "  %s\n", e)
	}
	built := "cached"
	if !res.Sim.Cached {
		built = fmt.Sprintf("built in %.1f s", res.Sim.BuildTime.Seconds())
	}
	fmt.Fprintf(w, "simulator %s (%s); run %.2f s, %.3g cycles/s\n", res.Sim.Path, built,
		res.SimTime.Seconds(), float64(res.RTLCycles)/res.SimTime.Seconds())
}

// cosimTensors reads --q/--k/--v (nil when none is given); the tensors
// set the model's shape unless --config or --set name it.
func cosimTensors(f *cosimFlags) (q, k, v *reference.Tensor, err error) {
	given := 0
	for _, p := range []string{f.q, f.k, f.v} {
		if p != "" {
			given++
		}
	}
	switch given {
	case 0:
		return nil, nil, nil, nil
	case 3:
	default:
		return nil, nil, nil, errors.New("--q, --k and --v go together: give all three or none")
	}
	ts := make([]*reference.Tensor, 3)
	for i, p := range []struct{ name, path string }{{"q", f.q}, {"k", f.k}, {"v", f.v}} {
		if ts[i], err = traces.ReadTensor(p.path); err != nil {
			return nil, nil, nil, fmt.Errorf("--%s: %w", p.name, err)
		}
	}
	return ts[0], ts[1], ts[2], reference.CheckGQA(ts[0], ts[1], ts[2])
}

// synthFlags are the flags of swatsim synth.
type synthFlags struct {
	design    *designFlags
	arith     string
	target    string
	mode      string
	out       string
	report    string
	pnr       bool
	freq      float64
	bitstream string
	overfit   bool
}

func newSynthCmd() *cobra.Command {
	var f synthFlags
	cmd := &cobra.Command{
		Use:   "synth [--config D.yaml] [--set k=v]... [--arith A] [--target xc7|xcup|ice40|ecp5] [--mode auto|flat|hier] [--pnr] [--report s.json]",
		Short: "Synthesize the generated Verilog with Yosys (and place and route it on an iCE40) and compare with the resource estimate",
		Long: `synth generates the core's Verilog and synthesizes it with Yosys (xc7:
synth_xilinx -family xc7; xcup: synth_xilinx -family xcup; ice40:
synth_ice40 -dsp; ecp5: synth_ecp5), then prints the LUT, LUTRAM,
flip-flop, DSP and block RAM counts beside the formula-based estimate of the
design point (package dataflow/resource: the xcup formulas for --target xcup,
the xc7 ones otherwise; docs/hdl.md, "Fitted resource formulas").

--mode flat synthesizes one flattened netlist (-flatten); hier synthesizes
each module once and sums over its instances (minutes instead of hours on big
designs); auto picks hier on xc7 and xcup, the flow the resource formulas
are fitted to (a flat netlist of a small core turns its shift registers into
flip-flops and differs from the estimate by up to half the FF count), and on
ice40 and ecp5 flat when the estimate is under 20000 LUTs.

--pnr (ice40 only) synthesizes without DSPs (synth_ice40), places and routes
on an iCE40 HX8K (CT256) with nextpnr-ice40 aiming at --freq MHz, packs the
bitstream with icepack into --bitstream, and reports nextpnr's achieved Fmax
and the utilisation. A design whose ports or flip-flops cannot fit the part
is refused before synthesis, and so, on any target, is a design whose
resource estimate exceeds its card (design field device, as swatsim sim
checks it) unless --allow-overfit.

--report writes the counts as JSON: target, lut, ff, dsp, bram36, uram,
lutram, estimate (the same keys, from the target's formulas), fmax_mhz and
bitstream (null without --pnr).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSynth(cmd.Context(), cmd.OutOrStdout(), &f)
		},
	}
	f.design = addDesignFlags(cmd)
	fl := cmd.Flags()
	addArithFlag(cmd, &f.arith)
	fl.StringVar(&f.target, "target", "xc7", "synthesis target: xc7, xcup, ice40 or ecp5")
	fl.StringVar(&f.mode, "mode", "auto", "flat, hier or auto")
	fl.StringVar(&f.out, "out", "", "keep the scripts, logs, netlist and statistics in this directory")
	fl.StringVar(&f.report, "report", "", "write the resource counts (and Fmax with --pnr) as JSON to this file")
	fl.BoolVar(&f.pnr, "pnr", false, "place and route on an iCE40 HX8K with nextpnr-ice40 and write the bitstream (--target ice40)")
	fl.Float64Var(&f.freq, "freq", 45, "--pnr: the clock nextpnr aims at, MHz, in (0, 1000]")
	fl.StringVar(&f.bitstream, "bitstream", "", "--pnr: the bitstream file (default <name>.ice40.bin)")
	fl.BoolVar(&f.overfit, "allow-overfit", false, "synthesize a design whose resource estimate exceeds its device (design field device)")
	return cmd
}

// addArithFlag adds --arith, which overrides the design's arith like sim's.
func addArithFlag(cmd *cobra.Command, arith *string) {
	cmd.Flags().StringVar(arith, "arith", "", "arithmetic preset or custom:k=v,... (overrides the design's arith)")
}

// arithSets is the override --arith asks for.
func arithSets(arith string) []string {
	if arith == "" {
		return nil
	}
	return []string{"arith=" + arith}
}

// checkSynthFlags rejects flag combinations before any work.
func (f *synthFlags) check(t hdlgen.Target) error {
	if f.pnr && t != hdlgen.ICE40 {
		return fmt.Errorf("--pnr: no place-and-route flow for --target %s (only ice40 has one: nextpnr-ice40 on an HX8K)", t)
	}
	if !f.pnr && (f.bitstream != "") {
		return errors.New("--bitstream needs --pnr")
	}
	if math.IsNaN(f.freq) || f.freq <= 0 || f.freq > 1000 {
		return fmt.Errorf("--freq = %g: must be in (0, 1000] MHz", f.freq)
	}
	switch f.mode {
	case "flat", "hier", "auto":
	default:
		return fmt.Errorf("--mode %q: must be one of auto, flat, hier", f.mode)
	}
	if f.pnr && f.mode == "hier" {
		return errors.New("--mode hier: place and route needs one flat netlist (use --mode auto or flat with --pnr)")
	}
	return nil
}

func runSynth(ctx context.Context, w io.Writer, f *synthFlags) error {
	t, err := hdlgen.ParseTarget(f.target)
	if err != nil {
		return err
	}
	if err := f.check(t); err != nil {
		return err
	}
	d, err := f.design.load(arithSets(f.arith)...)
	if err != nil {
		return err
	}
	est, err := resource.EstimateFor(d, synth.Family(t))
	if err != nil {
		return err
	}
	if !f.overfit {
		if err := sim.CheckFit(d); err != nil {
			return err
		}
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return err
	}
	if f.pnr && f.bitstream == "" {
		f.bitstream = d.Name + ".ice40.bin"
	}
	if err := checkPaths([]outfile.Path{{Flag: "--report", Path: f.report}, {Flag: "--bitstream", Path: f.bitstream}}); err != nil {
		return err
	}
	if f.pnr {
		return runPnR(ctx, w, f, r, est)
	}
	flat := f.mode == "flat" || (f.mode == "auto" && !t.Xilinx() && est.LUT < 20000)
	fmt.Fprintf(w, "synthesizing %q for %s (%s)...\n", d.Name, t, map[bool]string{true: "flat", false: "hierarchical"}[flat])
	rep, err := synth.Yosys(ctx, r, t, flat, f.out)
	if err != nil {
		return err
	}
	fmt.Fprint(w, synth.FormatComparison(rep, est))
	fmt.Fprintf(w, "yosys: %.1f s; cells: %s\n", rep.Time.Seconds(), strings.Join(rep.Resources.CellList(), ", "))
	return writeSynthReport(f.report, newSynthJSON(t, rep.Resources, est))
}

// runPnR runs the iCE40 flow in --out (or a temporary directory) and
// copies the bitstream to --bitstream.
func runPnR(ctx context.Context, w io.Writer, f *synthFlags, r *hdlgen.RTL, est resource.Resources) error {
	if err := synth.FitCheck(r, synth.HX8K); err != nil {
		return err
	}
	dir := f.out
	if dir == "" {
		tmp, err := os.MkdirTemp("", "swatsim-pnr-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(w, "synthesizing %q for ice40 and placing and routing on the %s at %g MHz...\n", r.Design.Name, synth.HX8K.Name, f.freq)
	rep, err := synth.PlaceRoute(ctx, r, synth.HX8K, f.freq, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "fmax %.2f MHz (target %g MHz: %s)\n", rep.FmaxMHz, rep.TargetMHz, map[bool]string{true: "met", false: "missed"}[rep.FmaxMHz >= rep.TargetMHz])
	fmt.Fprintf(w, "utilisation: %s\n", strings.Join(rep.UtilisationLines(), ", "))
	fmt.Fprintf(w, "yosys ice40 (no DSP): %v\n", rep.Synth.Resources)
	bits, err := os.ReadFile(rep.Bitstream)
	if err != nil {
		return err
	}
	j := newSynthJSON(hdlgen.ICE40, rep.Synth.Resources, est)
	j.FmaxMHz, j.Bitstream, j.Utilisation = &rep.FmaxMHz, &f.bitstream, rep.Utilisation
	b, err := stage(f.bitstream, bits)
	if err != nil {
		return fmt.Errorf("--bitstream %w", err)
	}
	files := []*pendingFile{b}
	if f.report != "" {
		rf, err := stageReport(f.report, j)
		if err != nil {
			discard(files)
			return err
		}
		files = append(files, rf)
	}
	if err := commit(files); err != nil {
		return err
	}
	fmt.Fprintf(w, "bitstream %s (%d bytes)\n", f.bitstream, len(bits))
	return nil
}

// synthJSON is swatsim synth --report's document.
type synthJSON struct {
	Target string `json:"target"`
	countsJSON
	Estimate  countsJSON `json:"estimate"`
	FmaxMHz   *float64   `json:"fmax_mhz"`
	Bitstream *string    `json:"bitstream"`
	// Utilisation is nextpnr's, by cell type (with --pnr only).
	Utilisation map[string]synth.Use `json:"utilisation,omitempty"`
}

// countsJSON are the resource keys of the report.
type countsJSON struct {
	LUT    int     `json:"lut"`
	FF     int     `json:"ff"`
	DSP    int     `json:"dsp"`
	BRAM36 float64 `json:"bram36"`
	URAM   int     `json:"uram"`
	LUTRAM int     `json:"lutram"`
}

func counts(r resource.Resources) countsJSON {
	return countsJSON{LUT: r.LUT, FF: r.FF, DSP: r.DSP, BRAM36: r.BRAM36, URAM: r.URAM, LUTRAM: r.LUTRAM}
}

func newSynthJSON(t hdlgen.Target, got, est resource.Resources) *synthJSON {
	return &synthJSON{Target: string(t), countsJSON: counts(got), Estimate: counts(est)}
}

// stageReport stages the JSON report.
func stageReport(path string, j *synthJSON) (*pendingFile, error) {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	f, err := stage(path, append(data, '\n'))
	if err != nil {
		return nil, fmt.Errorf("--report %w", err)
	}
	return f, nil
}

func writeSynthReport(path string, j *synthJSON) error {
	if path == "" {
		return nil
	}
	f, err := stageReport(path, j)
	if err != nil {
		return err
	}
	return commit([]*pendingFile{f})
}
