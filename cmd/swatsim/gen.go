package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newGenCmd) }

// genDTypes are the element types gen writes.
var genDTypes = []string{"float64", "float32", "float16"}

func newGenCmd() *cobra.Command {
	p := traces.DefaultSynthParams()
	var outDir, dtype string
	cmd := &cobra.Command{
		Use:   "gen --out-dir DIR",
		Short: "Generate synthetic Q/K/V with the statistics of real models",
		Long: `gen writes DIR/q.npy, DIR/k.npy and DIR/v.npy of shape [H,N,D]: synthetic
attention inputs with an attention sink, outlier key channels, low-rank keys,
heavy hitters and RoPE, each set by its flag (0 turns a feature off). The same
flags give the same bytes. Every flag is a field of traces.SynthParams
(--sink-strength is sink_strength).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGen(cmd, p, outDir, dtype)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&outDir, "out-dir", "", "directory for q.npy, k.npy and v.npy (created if missing; required)")
	fl.StringVar(&dtype, "dtype", "float64", "element type: "+strings.Join(genDTypes, ", "))
	fl.Uint64Var(&p.Seed, "seed", p.Seed, "PCG seed")
	fl.IntVar(&p.Heads, "heads", p.Heads, "H heads, in [1, 4096]")
	fl.IntVar(&p.KVHeads, "kv-heads", p.KVHeads, "key/value heads (GQA), a divisor of --heads; k.npy and v.npy are [kv-heads,N,D] (0 = --heads)")
	fl.IntVar(&p.Tokens, "tokens", p.Tokens, "N tokens, in [1, 16777216]")
	fl.IntVar(&p.HeadDim, "head-dim", p.HeadDim, "D head dimension, in [1, 4096] (even with --rope)")
	fl.Float64Var(&p.QueryMean, "query-mean", p.QueryMean, "norm of the shared query direction relative to the query noise, in [0, 100]")
	fl.Float64Var(&p.SinkStrength, "sink-strength", p.SinkStrength, "attention sink: token 0's logit boost for the mean query in nats, in [0, 100] (0 = off)")
	fl.IntVar(&p.OutlierChannels, "outlier-channels", p.OutlierChannels, "number of outlier key channels, in [0, D] (the default is capped at D)")
	fl.Float64Var(&p.OutlierScale, "outlier-scale", p.OutlierScale, "magnitude factor of the outlier key channels, in [1, 10000]")
	fl.IntVar(&p.KeyRank, "key-rank", p.KeyRank, "rank of the pre-RoPE keys, in [0, D], 0 = full rank (the default is capped at D)")
	fl.Float64Var(&p.KeyNoise, "key-noise", p.KeyNoise, "noise std per channel added to low-rank keys, in [0, 100]")
	fl.IntVar(&p.HeavyHitters, "heavy-hitters", p.HeavyHitters, "number of heavy-hitter tokens, in [0, N-1] (the default is capped at N-1)")
	fl.Float64Var(&p.HeavyStrength, "heavy-strength", p.HeavyStrength, "heavy hitters' logit boost for the mean query in nats, in [0, 100]")
	fl.BoolVar(&p.RoPE, "rope", p.RoPE, "rotate q and k by position (RoPE, rotate-half layout); --rope=false turns it off")
	fl.Float64Var(&p.RoPEBase, "rope-base", p.RoPEBase, "RoPE base, in (1, 1e12]")
	return cmd
}

func runGen(cmd *cobra.Command, p traces.SynthParams, outDir, dtype string) error {
	if outDir == "" {
		return errors.New("--out-dir is required: the directory for q.npy, k.npy and v.npy")
	}
	ok := false
	for _, d := range genDTypes {
		ok = ok || d == dtype
	}
	if !ok {
		return fmt.Errorf("--dtype = %q: allowed %s", dtype, strings.Join(genDTypes, ", "))
	}
	fl := cmd.Flags()
	// Defaults that depend on the sizes follow them unless set.
	if !fl.Changed("outlier-channels") {
		p.OutlierChannels = min(p.OutlierChannels, max(p.HeadDim, 0))
	}
	if !fl.Changed("key-rank") {
		p.KeyRank = min(p.KeyRank, max(p.HeadDim, 0))
	}
	if !fl.Changed("heavy-hitters") {
		p.HeavyHitters = min(p.HeavyHitters, max(p.Tokens-1, 0))
	}
	if err := p.Validate(); err != nil {
		var pe *traces.ParamError
		if errors.As(err, &pe) {
			var flags []string
			for _, f := range strings.Split(pe.Field, "*") {
				flags = append(flags, "--"+strings.ReplaceAll(f, "_", "-"))
			}
			return fmt.Errorf("%s = %v: must be %s", strings.Join(flags, " * "), pe.Value, pe.Allowed)
		}
		return err
	}
	if err := checkMemory("gen", p.Heads, p.Tokens, p.HeadDim, bytesPerElemGen); err != nil {
		return err
	}
	if st, err := os.Stat(outDir); err == nil && !st.IsDir() {
		return fmt.Errorf("--out-dir %s: not a directory", outDir)
	}
	q, k, v, err := traces.Generate(p)
	if err != nil {
		return err
	}
	created, err := mkdirAll(outDir)
	if err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	var outs []traces.Output
	for _, t := range []struct {
		name  string
		data  []float64
		shape []int
	}{{"q", q.Data, q.Shape()}, {"k", k.Data, k.Shape()}, {"v", v.Data, v.Shape()}} {
		outs = append(outs, traces.Output{Path: filepath.Join(outDir, t.name+".npy"), Shape: t.shape, Data: t.data, DType: dtype})
	}
	if err := traces.WriteAll(outs...); err != nil {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i]) // only empty directories go
		}
		return err
	}
	if k.H != q.H {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s/{q,k,v}.npy: q %v, k and v %v (GQA) %s (seed %d)\n", outDir, q.Shape(), k.Shape(), dtype, p.Seed)
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s/{q,k,v}.npy: %v %s (seed %d)\n", outDir, q.Shape(), dtype, p.Seed)
	return nil
}

// mkdirAll creates dir and its missing parents and returns the ones it
// created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append([]string{d}, missing...)
		if filepath.Dir(d) == d {
			break
		}
	}
	return missing, os.MkdirAll(dir, 0o755)
}
