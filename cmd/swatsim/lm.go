package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/lm"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newLMCmd) }

// lmFlags are the flags of `swatsim lm`.
type lmFlags struct {
	model, text, config, policy, arith, report, dump string
	policies, budgets, windows, ariths               string
	budget, sinks, window, prompt                    int
	compare, markdown                                bool
}

func newLMCmd() *cobra.Command {
	f := &lmFlags{}
	c := &cobra.Command{
		Use:   "lm --model DIR --text FILE",
		Short: "Closed-loop quality: a trained byte-level LM with KV policies and hardware arithmetic in the loop",
		Long: `lm runs a trained byte-level transformer (a folder with meta.json and one .npy
per weight, e.g. shared/models/tinylm-s) over a text one byte at a time and
reports the model's next-byte loss in bits per byte. Each layer's KV cache is
managed by a sim/kv policy at a token budget; attention runs in float64 or in
a hardware arithmetic (--arith) through the reference fixed-point kernel. The
first --prompt inputs attend densely; every later one goes through the policy.
--window W runs SWAT sliding-window attention of width W plus --sinks sinks.
The report also holds bits per byte under full attention, the attention's
own error (rel-L2 against float64 dense attention on the same Q/K/V) and the
KV bytes each memory tier moves per decode step, summed over layers.`,
		Example: `  swatsim lm --model ../shared/models/tinylm-s --text ../shared/models/tinylm-s/text0.bin --policy h2o --budget 256
  swatsim lm --model M --text T --window 256 --sinks 4 --arith fixed12 --report r.json
  swatsim lm --model M --text T --compare --budgets 64,256,1024 --windows 256,1024 --ariths float64,fixed16`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLM(cmd, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.model, "model", "", "model folder: meta.json and one .npy per weight (required)")
	fl.StringVar(&f.text, "text", "", "text file to score, 2 to context+1 bytes (required)")
	fl.StringVar(&f.config, "config", "", "YAML config file (keys under kv.: policy hyperparameters, memory tiers)")
	fl.StringVar(&f.policy, "policy", "full", "KV policy: "+strings.Join(policy.Names, "|"))
	fl.IntVar(&f.budget, "budget", 0, "token budget B: keys attended per decode query, its own included (>= 1)")
	fl.IntVar(&f.sinks, "sinks", 0, "sink tokens S for streaming and --window (default kv.policy.sinks)")
	fl.IntVar(&f.window, "window", 0, "SWAT sliding-window attention of width W (>= 1) plus --sinks sinks, instead of --policy")
	fl.StringVar(&f.arith, "arith", "float64", "attention arithmetic: "+strings.Join(reference.PresetNames(), ", ")+", or custom:key=value,...")
	fl.IntVar(&f.prompt, "prompt", 0, "prompt: the first P inputs attend densely, the policy starts at P (0: every byte goes through the policy)")
	fl.StringVar(&f.report, "report", "", "write a JSON report to this file")
	fl.StringVar(&f.dump, "dump-qkv", "", "write each layer's Q, K, V and attention output as DIR/layer<L>_{q,k,v,o}.npy ([heads,T,head_dim] float64)")
	fl.BoolVar(&f.compare, "compare", false, "run --policies x --budgets (plus --windows) for each of --ariths and print one table")
	fl.StringVar(&f.policies, "policies", strings.Join(policy.Names, ","), "policies of --compare, comma-separated")
	fl.StringVar(&f.budgets, "budgets", "64,256,1024", "budgets of --compare, comma-separated")
	fl.StringVar(&f.windows, "windows", "", "window widths of --compare, comma-separated (none by default)")
	fl.StringVar(&f.ariths, "ariths", "", "arithmetics of --compare, comma-separated (default: --arith)")
	fl.BoolVar(&f.markdown, "markdown", false, "print the --compare table as Markdown")
	return c
}

// lmDoc is the JSON report: a single run's keys at the top level, or one
// row per run with --compare.
type lmDoc struct {
	Model string `json:"model"`
	Text  string `json:"text"`
	*lm.Report
	Rows []*lm.Report `json:"rows,omitempty"`
}

func runLM(cmd *cobra.Command, f *lmFlags) error {
	specs, err := lmSpecs(cmd, f)
	if err != nil {
		return err
	}
	if f.compare && f.dump != "" {
		return fmt.Errorf("--dump-qkv writes one run's tensors; drop --compare")
	}
	cfg, err := lmConfig(cmd, f)
	if err != nil {
		return err
	}
	runner, err := lmRunner(f, cfg)
	if err != nil {
		return err
	}
	for _, s := range specs {
		if err := runner.Check(s); err != nil {
			return err
		}
	}
	doc := lmDoc{Model: f.model, Text: f.text}
	var last *lm.Decode
	for _, s := range specs {
		rep, dec, err := runner.Run(s)
		if err != nil {
			return err
		}
		doc.Rows, last = append(doc.Rows, rep), dec
	}
	out := cmd.OutOrStdout()
	tiers := cfg.TierNames()
	if f.compare {
		fmt.Fprintf(out, "lm compare: %s on %s, %d predicted bytes, prompt %d\n", f.model, f.text, len(runner.Text)-1, f.prompt)
		if err := lm.WriteTable(out, doc.Rows, tiers[:], f.markdown); err != nil {
			return err
		}
	} else {
		doc.Report, doc.Rows = doc.Rows[0], nil
		lmPrint(out, doc.Report, tiers[:])
	}
	return lmWrite(f, doc, last)
}

// lmSpecs returns the runs the flags ask for.
func lmSpecs(cmd *cobra.Command, f *lmFlags) ([]lm.Spec, error) {
	fl := cmd.Flags()
	if f.compare {
		for _, n := range []string{"policy", "budget", "window"} {
			if fl.Changed(n) {
				return nil, fmt.Errorf("--compare runs --policies x --budgets and --windows; drop --%s", n)
			}
		}
		return lmCompareSpecs(f)
	}
	for _, n := range []string{"policies", "budgets", "windows", "ariths", "markdown"} {
		if fl.Changed(n) {
			return nil, fmt.Errorf("--%s applies to --compare", n)
		}
	}
	a, err := reference.ParseArith(f.arith)
	if err != nil {
		return nil, fmt.Errorf("--arith: %w", err)
	}
	if fl.Changed("window") {
		if fl.Changed("policy") || fl.Changed("budget") {
			return nil, fmt.Errorf("--window W runs sliding-window attention (budget W + sinks); drop --policy/--budget")
		}
		if f.window < 1 {
			return nil, fmt.Errorf("--window = %d: must be >= 1", f.window)
		}
		return []lm.Spec{{Window: f.window, Arith: a}}, nil
	}
	if !slices.Contains(policy.Names, f.policy) {
		return nil, fmt.Errorf("--policy %q: unknown policy; allowed: %s", f.policy, strings.Join(policy.Names, ", "))
	}
	b := f.budget
	switch {
	case !fl.Changed("budget") && f.policy != "full":
		return nil, fmt.Errorf("--budget is required for policy %s (keys attended per decode query, >= 1)", f.policy)
	case !fl.Changed("budget"):
		b = 1 << 30 // full keeps every token
	case b < 1:
		return nil, fmt.Errorf("--budget = %d: must be >= 1 (keys attended per decode query, its own included)", b)
	}
	return []lm.Spec{{Policy: f.policy, Budget: b, Arith: a}}, nil
}

// lmCompareSpecs is --ariths x (--policies x --budgets, then --windows);
// policy full runs once per arithmetic.
func lmCompareSpecs(f *lmFlags) ([]lm.Spec, error) {
	budgets, err := lmInts("budgets", f.budgets)
	if err != nil {
		return nil, err
	}
	var windows []int
	if f.windows != "" {
		if windows, err = lmInts("windows", f.windows); err != nil {
			return nil, err
		}
	}
	names := f.ariths
	if names == "" {
		names = f.arith
	}
	var specs []lm.Spec
	for _, an := range strings.Split(names, ",") {
		a, err := reference.ParseArith(strings.TrimSpace(an))
		if err != nil {
			return nil, fmt.Errorf("--ariths: %w", err)
		}
		for _, p := range strings.Split(f.policies, ",") {
			p = strings.TrimSpace(p)
			if !slices.Contains(policy.Names, p) {
				return nil, fmt.Errorf("--policies: %q: unknown policy; allowed: %s", p, strings.Join(policy.Names, ", "))
			}
			if p == "full" {
				specs = append(specs, lm.Spec{Policy: p, Budget: 1 << 30, Arith: a})
				continue
			}
			for _, b := range budgets {
				specs = append(specs, lm.Spec{Policy: p, Budget: b, Arith: a})
			}
		}
		for _, w := range windows {
			specs = append(specs, lm.Spec{Window: w, Arith: a})
		}
	}
	return specs, nil
}

func lmInts(flag, s string) ([]int, error) {
	var out []int
	for _, x := range strings.Split(s, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil || b < 1 {
			return nil, fmt.Errorf("--%s: %q: want comma-separated integers >= 1", flag, x)
		}
		out = append(out, b)
	}
	return out, nil
}

// lmConfig loads the kv configuration with --sinks applied.
func lmConfig(cmd *cobra.Command, f *lmFlags) (kv.Config, error) {
	cfg, err := kv.LoadConfig(f.config, true)
	if err != nil {
		return cfg, err
	}
	if cmd.Flags().Changed("sinks") {
		if f.sinks < 0 {
			return cfg, fmt.Errorf("--sinks = %d: must be >= 0", f.sinks)
		}
		cfg.Policy.Sinks = f.sinks
	}
	return cfg, cfg.Validate()
}

// lmRunner loads the model and the text.
func lmRunner(f *lmFlags, cfg kv.Config) (*lm.Runner, error) {
	if f.model == "" || f.text == "" {
		return nil, fmt.Errorf("--model DIR and --text FILE are required")
	}
	m, err := lm.Load(f.model)
	if err != nil {
		return nil, err
	}
	text, err := os.ReadFile(f.text)
	if err != nil {
		return nil, fmt.Errorf("--text: %w", err)
	}
	r, err := lm.NewRunner(m, text, cfg, f.prompt)
	if err != nil {
		return nil, fmt.Errorf("--text %s: %w", f.text, err)
	}
	return r, nil
}

func lmPrint(w io.Writer, r *lm.Report, tiers []string) {
	name := fmt.Sprintf("policy %s, budget %d", r.Policy, r.Budget)
	if r.Window > 0 {
		name = fmt.Sprintf("window %d + %d sinks", r.Window, r.Sinks)
	}
	fmt.Fprintf(w, "lm: %s, arith %s, %d layers, prompt %d, %d predicted bytes\n", name, r.Arith, r.Layers, r.Prompt, r.Predicted)
	fmt.Fprintf(w, "bits/byte %.6f (full attention %.6f, delta %+.6f), loss %.6f nats/byte\n",
		r.BitsPerByte, r.BitsPerByteFull, r.DeltaBitsPerByte, r.LossNatsMean)
	fmt.Fprintf(w, "attention rel-L2 vs float64 dense, per layer: %.4g (mean %.4g)\n", r.AttnRelL2, r.AttnRelL2Mean)
	var b []string
	for _, t := range tiers {
		b = append(b, fmt.Sprintf("%s %.0f", t, r.KVBytesPerStep[t]))
	}
	fmt.Fprintf(w, "KV bytes per decode step (all layers): %s\n", strings.Join(b, ", "))
	if r.ArithScalesStable != nil {
		fmt.Fprintf(w, "fixed-point fraction bits (q, k, v) per layer: %v; stable under AutoScale: %v\n", r.ArithFracs, *r.ArithScalesStable)
	}
}

// lmWrite writes the report and the tensor dump together: every file or
// none.
func lmWrite(f *lmFlags, doc lmDoc, dec *lm.Decode) error {
	var staged []*pendingFile
	if f.report != "" {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		p, err := stage(f.report, append(b, '\n'))
		if err != nil {
			return err
		}
		staged = append(staged, p)
	}
	if f.dump != "" {
		if err := lmDump(f.dump, dec); err != nil {
			discard(staged)
			return err
		}
	}
	return commit(staged)
}

// lmDump writes each layer's Q, K, V and attention output as .npy.
func lmDump(dir string, dec *lm.Decode) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("--dump-qkv %s: not an existing directory", dir)
	}
	var outs []traces.Output
	for l, t := range dec.QKV {
		for _, p := range []struct {
			n string
			x *reference.Tensor
		}{{"q", t.Q}, {"k", t.K}, {"v", t.V}, {"o", t.O}} {
			outs = append(outs, traces.Output{Path: filepath.Join(dir, fmt.Sprintf("layer%d_%s.npy", l, p.n)), Shape: p.x.Shape(), Data: p.x.Data, DType: "float64"})
		}
	}
	return traces.WriteAll(outs...)
}
