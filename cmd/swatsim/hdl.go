package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newHDLCmd, newCosimCmd, newSynthCmd) }

func newHDLCmd() *cobra.Command {
	var df *designFlags
	var out string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "hdl [--config D.yaml] [--set key=value]... --out DIR",
		Short: "Generate the Verilog of a design point's attention core, its testbench and scripts",
		Long: `hdl writes the synthesizable Verilog of the design point's core (one module per
unit: exp ROM and unit, score, dot slice, SV lane, reciprocal, PE, RAM, mask,
controller, top swat_core), the Verilator C++ testbench (tb/tb.cpp), Yosys
scripts (synth_<target>.ys, flat, and synth_<target>_hier.ys), a Makefile
(make lint | sim | run | synth-xc7) and stim.txt, a stimulus of synthetic
inputs (seeded by --seed) for make run, into DIR.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHDL(cmd.OutOrStdout(), df, out, seed)
		},
	}
	df = addDesignFlags(cmd)
	cmd.Flags().StringVar(&out, "out", "", "output directory (created if missing; required)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the synthetic inputs in stim.txt")
	return cmd
}

func runHDL(w io.Writer, df *designFlags, out string, seed uint64) error {
	if out == "" {
		return errors.New("--out is required: the directory for the generated files")
	}
	d, err := df.load()
	if err != nil {
		return err
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return err
	}
	if err := r.WriteDir(out); err != nil {
		return err
	}
	q, k, v, err := hdlgen.Inputs(d, seed)
	if err != nil {
		return err
	}
	if err := hdlgen.WriteStimulus(filepath.Join(out, "stim.txt"), d, q, k, v); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %d files for design point %q to %s:\n", len(r.Files())+1, d.Name, out)
	for _, f := range r.Files() {
		fmt.Fprintf(w, "  %s\n", f.Name)
	}
	fmt.Fprintf(w, "  stim.txt (synthetic inputs, seed %d)\nnext: make -C %s lint | sim | run | synth-xc7\n", seed, out)
	return nil
}

// cosimFlags are the flags of swatsim cosim.
type cosimFlags struct {
	design       *designFlags
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
o transfer cycle with the cycle model (dataflow.Engine). It prints PASS or
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
		pre = shapeSets(q)
	}
	d, err := f.design.loadAround(pre, nil)
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
		if q, k, v, err = hdlgen.Inputs(d, f.seed); err != nil {
			return err
		}
	}
	var opts []hdlgen.Option
	if f.vcd != "" {
		opts = append(opts, hdlgen.WithVCD(f.vcd, f.vcdFrom, f.vcdTo))
	}
	if f.work != "" {
		opts = append(opts, hdlgen.WithWorkDir(f.work))
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "co-simulating %q (first build of a design takes a while; cached afterwards)\n", d.Name)
	res, err := hdlgen.Cosim(d, q, k, v, f.seed, pct, opts...)
	if err != nil {
		return err
	}
	printCosim(w, res)
	if !res.Pass {
		return errors.New("co-simulation failed")
	}
	return nil
}

func printCosim(w io.Writer, res *hdlgen.CosimResult) {
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
	return ts[0], ts[1], ts[2], reference.CheckQKV(ts[0], ts[1], ts[2])
}

func newSynthCmd() *cobra.Command {
	var df *designFlags
	var target, mode, out string
	cmd := &cobra.Command{
		Use:   "synth [--config D.yaml] [--set k=v]... [--target xc7|ice40|ecp5] [--mode auto|flat|hier]",
		Short: "Synthesize the generated Verilog with Yosys and compare with the resource estimate",
		Long: `synth generates the core's Verilog and synthesizes it with Yosys (xc7:
synth_xilinx -family xc7; ice40: synth_ice40 -dsp; ecp5: synth_ecp5), then
prints the LUT, LUTRAM, flip-flop, DSP and block RAM counts beside the
formula-based estimate of the design point (package dataflow/resource, xc7).

--mode flat synthesizes one flattened netlist (-flatten); hier synthesizes
each module once and sums over its instances (minutes instead of hours on big
designs); auto picks flat when the estimate is under 20000 LUTs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := df.load()
			if err != nil {
				return err
			}
			t, err := hdlgen.ParseTarget(target)
			if err != nil {
				return err
			}
			return runSynth(cmd.OutOrStdout(), d, t, mode, out)
		},
	}
	df = addDesignFlags(cmd)
	cmd.Flags().StringVar(&target, "target", "xc7", "synthesis target: xc7, ice40 or ecp5")
	cmd.Flags().StringVar(&mode, "mode", "auto", "flat, hier or auto")
	cmd.Flags().StringVar(&out, "out", "", "keep the scripts, log and statistics in this directory")
	return cmd
}

func runSynth(w io.Writer, d *dataflow.Design, t hdlgen.Target, mode, out string) error {
	est, err := resource.Estimate(d)
	if err != nil {
		return err
	}
	var flat bool
	switch mode {
	case "flat", "hier":
		flat = mode == "flat"
	case "auto":
		flat = est.LUT < 20000
	default:
		return fmt.Errorf("--mode %q: must be one of auto, flat, hier", mode)
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "synthesizing %q for %s (%s)...\n", d.Name, t, map[bool]string{true: "flat", false: "hierarchical"}[flat])
	rep, err := hdlgen.Synth(r, t, flat, out)
	if err != nil {
		return err
	}
	fmt.Fprint(w, hdlgen.FormatComparison(rep, est))
	fmt.Fprintf(w, "yosys: %.1f s; cells: %s\n", rep.Time.Seconds(), strings.Join(rep.Resources.CellList(), ", "))
	return nil
}
