package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newRefCmd) }

// refFlags are the flags of swatsim ref.
type refFlags struct {
	q, k, v, out  string
	window        int
	causal, dense bool
	global, sinks int
	scale         float64
	arith         string
	layer         int
}

func newRefCmd() *cobra.Command {
	var f refFlags
	cmd := &cobra.Command{
		Use:   "ref --q Q.npy --k K.npy --v V.npy --window W --out O.npy",
		Short: "Reference attention (float64 or bit-exact fixed point) of .npy inputs",
		Long: `ref computes masked softmax attention O = softmax(Q K^T * scale) V of Q, K and V
given as .npy files of shape [N,D] or [H,N,D] (float64, float32, float16,
int8/16/32), and writes O as a float64 .npy of Q's shape. K and V may have
fewer heads than Q (grouped-query or multi-query attention: [Hkv,N,D] with
Hkv dividing Hq); query head h then uses K/V head h / (Hq/Hkv).

The mask: row i attends to key j when j is in its window (causal: j <= i and
i-j < W; bidirectional: |i-j| <= W/2), or i < G or j < G (--global), or
j < S (--sinks; causal: also j <= i). --dense drops the window limit.

With --arith other than float64, O is the output of the hardware's fixed-point
datapath (bit for bit), and ref also prints its error against float64.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRef(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.q, "q", "", "query .npy, [N,D] or [H,N,D] (required)")
	fl.StringVar(&f.k, "k", "", "key .npy, [N,D] or [Hkv,N,D] with Hkv dividing the heads of --q (required)")
	fl.StringVar(&f.v, "v", "", "value .npy, the shape of --k (required)")
	fl.StringVar(&f.out, "out", "", "output .npy: O as float64, the shape of --q (required)")
	fl.IntVar(&f.window, "window", 0, "window size W (required unless --dense; causal >= 1, bidirectional >= 0)")
	fl.BoolVar(&f.causal, "causal", false, "causal attention (j <= i)")
	fl.BoolVar(&f.dense, "dense", false, "no window limit: full (causal) attention")
	fl.IntVar(&f.global, "global", 0, "G global tokens, in [0, N]: rows and columns 0..G-1 attend everywhere")
	fl.IntVar(&f.sinks, "sinks", 0, "S sink tokens, in [0, N]: keys 0..S-1 are always attended")
	fl.Float64Var(&f.scale, "scale", 0, "softmax scale, > 0 (default 1/sqrt(D))")
	fl.StringVar(&f.arith, "arith", "float64", "arithmetic: "+strings.Join(reference.PresetNames(), ", ")+", or custom:key=value,... (on top of fixed16)")
	fl.IntVar(&f.layer, "layer", -1, "layer to take from rank-4 [L,H,N,D] inputs, in [0, L-1]; -1: inputs are [N,D] or [H,N,D]")
	return cmd
}

func runRef(cmd *cobra.Command, f *refFlags) error {
	for _, r := range []struct{ name, val, what string }{
		{"q", f.q, "the query .npy"}, {"k", f.k, "the key .npy"},
		{"v", f.v, "the value .npy"}, {"out", f.out, "the output .npy"},
	} {
		if r.val == "" {
			return fmt.Errorf("--%s is required: %s", r.name, r.what)
		}
	}
	if err := checkPaths([]outfile.Path{{Flag: "--out", Path: f.out}},
		outfile.Path{Flag: "--q", Path: f.q}, outfile.Path{Flag: "--k", Path: f.k}, outfile.Path{Flag: "--v", Path: f.v}); err != nil {
		return err
	}
	fl := cmd.Flags()
	if !f.dense && !fl.Changed("window") {
		return fmt.Errorf("--window is required unless --dense: the window size W (causal >= 1, bidirectional >= 0)")
	}
	if f.window < 0 || (f.causal && !f.dense && f.window < 1) {
		lo := 0
		if f.causal {
			lo = 1
		}
		return fmt.Errorf("--window = %d: must be >= %d", f.window, lo)
	}
	if f.global < 0 || f.sinks < 0 {
		return fmt.Errorf("--global = %d, --sinks = %d: must be in [0, N]", f.global, f.sinks)
	}
	if math.IsNaN(f.scale) || math.IsInf(f.scale, 0) || f.scale < 0 {
		return fmt.Errorf("--scale = %g: must be finite and > 0 (omit it for 1/sqrt(D))", f.scale)
	}
	if fl.Changed("scale") && f.scale == 0 {
		return fmt.Errorf("--scale = 0: must be > 0 (omit it for 1/sqrt(D))")
	}
	if fl.Changed("layer") && f.layer < 0 {
		return fmt.Errorf("--layer = %d: must be >= 0", f.layer)
	}
	arith, err := reference.ParseArith(f.arith)
	if err != nil {
		return fmt.Errorf("--arith: %w", err)
	}
	q, err := readInput("q", f.q, f.layer)
	if err != nil {
		return err
	}
	k, err := readInput("k", f.k, f.layer)
	if err != nil {
		return err
	}
	v, err := readInput("v", f.v, f.layer)
	if err != nil {
		return err
	}
	if err := reference.CheckGQA(q, k, v); err != nil {
		return err
	}
	if err := checkMemory("ref", q.H, q.N, q.D, bytesPerElemRef); err != nil {
		return err
	}
	if f.global > q.N || f.sinks > q.N {
		return fmt.Errorf("--global = %d, --sinks = %d: must be in [0, %d] (N, the number of tokens)", f.global, f.sinks, q.N)
	}
	if err := arith.CheckHeadDim(q.D); err != nil {
		return fmt.Errorf("--arith %s: %w", f.arith, err)
	}
	opt := reference.Options{
		Mask:  reference.Mask{Window: f.window, Causal: f.causal, Dense: f.dense, Global: f.global, Sinks: f.sinks},
		Scale: f.scale,
		Arith: arith,
	}
	res, err := reference.Attend(q, k, v, opt)
	if err != nil {
		return err
	}
	var report []string
	if !arith.Float {
		kern := res.Kernel
		report = append(report, fmt.Sprintf("fracs: q=%d k=%d v=%d o=%d (in_bits=%d)", kern.QFrac, kern.KFrac, kern.VFrac, kern.VFrac, arith.InBits))
		sat := res.Saturated
		report = append(report, fmt.Sprintf("saturated: q=%d k=%d v=%d of %d elements each (clipped to the %d-bit code range)", sat.Q, sat.K, sat.V, len(q.Data), arith.InBits))
		if sat.Total() > 0 {
			fmt.Fprintf(cmd.ErrOrStderr(), "swatsim: warning: %d input elements saturated (clipped to the %d-bit code range): the output is not the attention of the given values\n", sat.Total(), arith.InBits)
		}
		opt.Arith, _ = reference.Preset("float64")
		ref, err := reference.Attend(q, k, v, opt)
		if err != nil {
			return err
		}
		e, err := reference.Compare(res.O.Data, ref.O.Data)
		if err != nil {
			return err
		}
		report = append(report, fmt.Sprintf("vs float64: max_abs=%.6g rel_l2=%.6g cosine=%.12f", e.MaxAbs, e.RelL2, e.Cosine))
	}
	if err := traces.WriteTensor(f.out, res.O); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s: %v float64, arith %s\n", f.out, res.O.Shape(), arith.Name)
	for _, l := range report {
		fmt.Fprintln(w, l)
	}
	return nil
}

// readInput reads one of q, k, v: [N,D] or [H,N,D], or a layer of
// [L,H,N,D] when layer >= 0.
func readInput(name, path string, layer int) (*reference.Tensor, error) {
	a, err := traces.ReadArray(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	var t *reference.Tensor
	if layer < 0 && len(a.Shape) == 4 {
		return nil, fmt.Errorf("--%s: %s: shape %v is [L,H,N,D]: select a layer with --layer, in [0, %d]", name, path, a.Shape, a.Shape[0]-1)
	}
	if layer >= 0 {
		t, err = a.Layer(layer)
	} else {
		t, err = a.Tensor()
	}
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return t, nil
}
