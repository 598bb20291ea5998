package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/traces"
)

func init() { commands = append(commands, newKVCmd) }

// kvFlags are the flags of `swatsim kv`.
type kvFlags struct {
	config, policy, policies, budgets, report string
	design, plot                              string
	sets                                      []string
	q, k, v                                   string
	budget, sinks, layer, prompt, steps       int
	recallK, tokens, heads, headDim, kvHeads  int
	seed                                      int64
	compare, markdown                         bool
	bits, group, residual, pqM, pqBits, rank  int
	block                                     int
	retrievalFrac                             float64
}

func newKVCmd() *cobra.Command {
	f := &kvFlags{}
	c := &cobra.Command{
		Use:   "kv",
		Short: "KV-cache memory hierarchy for decode: policies, bytes per tier, cycles",
		Long: `kv simulates the decode phase of one attention layer: a prompt of P tokens is
prefilled, then one query per step t = P..N-1 attends to the growing KV cache
under a policy and a token budget B (keys attended per query, its own
included). It reports accuracy against full attention, the bytes each memory
tier moves and the cycles of every step (Akita cycle model).

Inputs are .npy Q/K/V ([H,N,D], or [L,H,N,D] with --layer) or a synthetic
trace (--seed). The card (clock, PEs x lanes, off-chip memory, host link)
comes from the design point (--design FILE and --set, as for swatsim sim);
the kv-only settings (tiers, capacities, policy knobs) from the embedded
defaults, a YAML file (--config, keys under kv.) and SWATSIM_KV_... variables.`,
		Example: `  swatsim kv --policy h2o --budget 256 --seed 1
  swatsim kv --q q.npy --k k.npy --v v.npy --layer 1 --prompt 2048 --compare --report r.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runKV(cmd, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.config, "config", "", "YAML config file of the kv-only settings (keys under kv.)")
	fl.StringVar(&f.design, "design", "", "design point YAML: the card (hw.clock_mhz, hw.pes, hw.vector_width, memory.*), as swatsim sim reads it (default: the embedded one)")
	fl.StringArrayVar(&f.sets, "set", nil, "override a design field, e.g. --set memory.channels=16 (repeatable)")
	fl.StringVar(&f.policy, "policy", "", "policy: "+strings.Join(policy.Names, "|"))
	fl.IntVar(&f.budget, "budget", 0, "token budget B: keys attended per decode query, its own included")
	fl.IntVar(&f.sinks, "sinks", 0, "streaming: sink tokens S (default kv.policy.sinks)")
	fl.StringVar(&f.q, "q", "", "queries .npy ([H,N,D] or [L,H,N,D])")
	fl.StringVar(&f.k, "k", "", "keys .npy")
	fl.StringVar(&f.v, "v", "", "values .npy")
	fl.Int64Var(&f.seed, "seed", 0, "synthetic trace seed (instead of --q/--k/--v)")
	fl.IntVar(&f.tokens, "tokens", 1024, "synthetic: tokens N")
	fl.IntVar(&f.heads, "heads", 4, "synthetic: heads H")
	fl.IntVar(&f.headDim, "head-dim", 64, "synthetic: head dimension D")
	fl.IntVar(&f.kvHeads, "kv-heads", 0, "key/value heads (GQA), dividing the query heads: a synthetic trace's K/V heads; with .npy inputs, checked against k.npy's (default: as many as query heads)")
	fl.IntVar(&f.layer, "layer", -1, "layer of a rank-4 [L,H,N,D] input (required for rank 4)")
	fl.IntVar(&f.prompt, "prompt", 0, "prompt length P (default N/2)")
	fl.IntVar(&f.steps, "steps", 0, "decode only the first n steps t = P..P+n-1 (0: all)")
	fl.IntVar(&f.recallK, "recall-k", 0, "k of the top-k recall (default kv.metrics.recall_k)")
	fl.StringVar(&f.report, "report", "", "write a JSON report to this file")
	fl.BoolVar(&f.compare, "compare", false, "run every policy x budget and print one table")
	fl.StringVar(&f.budgets, "budgets", "256,512,1024", "budgets of --compare, comma-separated")
	fl.StringVar(&f.policies, "policies", strings.Join(policy.Names, ","), "policies of --compare, comma-separated")
	fl.BoolVar(&f.markdown, "markdown", false, "print the --compare table as Markdown")
	fl.StringVar(&f.plot, "plot", "", "with --compare: draw rel-L2 error against bytes per step (log axes, Pareto front marked) to this PNG")
	fl.IntVar(&f.bits, "bits", 0, "kivi: bits per quantised element, 2|4 (default kv.policy.kivi_bits)")
	fl.IntVar(&f.group, "group", 0, "kivi: group size G (default kv.policy.kivi_group = 32)")
	fl.IntVar(&f.residual, "residual", 0, "kivi, pq: recent tokens kept unquantised (default kv.policy.kivi_residual / pq_residual = 128; kivi: a multiple of --group)")
	fl.IntVar(&f.pqM, "pq-m", 0, "pq: sub-vectors per row, dividing the head dim (default head_dim/4)")
	fl.IntVar(&f.pqBits, "pq-bits", 0, "pq: bits per code (default kv.policy.pq_bits = 8)")
	fl.IntVar(&f.rank, "rank", 0, "shadowkv: rank of the pre-RoPE key SVD, <= kv heads x head_dim (default 160, capped)")
	fl.IntVar(&f.block, "block", 0, "moba: block size Bs >= 1 (default kv.policy.moba_block = 64)")
	fl.Float64Var(&f.retrievalFrac, "retrieval-frac", 0, "duo: fraction of retrieval heads in [0,1] (default kv.policy.duo_retrieval_frac = 0.5)")
	return c
}

func runKV(cmd *cobra.Command, f *kvFlags) error {
	specs, err := kvSpecs(cmd, f)
	if err != nil {
		return err
	}
	if err := kvCheckOutputs(f); err != nil {
		return err
	}
	design, err := dataflow.Load(f.design, f.sets)
	if err != nil {
		return err
	}
	cfg, err := kv.LoadDesignConfig(f.config, true, design)
	if err != nil {
		return err
	}
	if cmd.Flags().Changed("sinks") {
		cfg.Policy.Sinks = f.sinks
	}
	if cmd.Flags().Changed("recall-k") {
		cfg.Metrics.RecallK = f.recallK
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cmd.Flags().Changed("seed") {
		if err := checkMemory("kv", f.heads, f.tokens, f.headDim, bytesPerElemKV); err != nil {
			return err
		}
	}
	q, k, v, in, err := kvInputs(cmd, f)
	if err != nil {
		return err
	}
	if err := kvPolicyFlags(cmd, f, &cfg, k.H, q.D); err != nil {
		return err
	}
	b := kv.MakeBuilder().WithConfig(cfg).WithSteps(f.steps)
	if cmd.Flags().Changed("prompt") {
		b = b.WithPrompt(f.prompt)
	}
	sim, err := b.Build(q, k, v)
	if err != nil {
		return err
	}
	in.Prompt, in.Steps = sim.Prompt(), sim.Steps()
	rs, err := sim.Run(specs)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.compare {
		fmt.Fprintf(out, "kv compare: %s, prompt %d, %d decode steps, %.1f s\n", kvDescribe(in), in.Prompt, in.Steps, sim.Elapsed())
		if err := kv.WriteTable(out, rs, f.markdown); err != nil {
			return err
		}
		for _, r := range rs {
			for _, note := range r.Notes {
				fmt.Fprintf(out, "%s budget %d: %s\n", r.Policy, r.Budget, note)
			}
		}
	} else {
		kvPrintSummary(out, rs[0].Summarize(), in, sim.Elapsed())
	}
	return kvWrite(f, rs, kvReport(rs, in, cfg, sim.Elapsed(), f.compare), kvDescribe(in))
}

// kvCheckOutputs checks the output paths before the run: --plot needs
// --compare and a .png name; outputs go into existing directories and are
// distinct.
func kvCheckOutputs(f *kvFlags) error {
	if f.plot != "" && !f.compare {
		return fmt.Errorf("--plot draws the --compare runs: add --compare")
	}
	if f.plot != "" && !strings.HasSuffix(strings.ToLower(f.plot), ".png") {
		return fmt.Errorf("--plot %s: must name a .png file", f.plot)
	}
	return checkPaths([]outfile.Path{{Flag: "--report", Path: f.report}, {Flag: "--plot", Path: f.plot}},
		outfile.Path{Flag: "--q", Path: f.q}, outfile.Path{Flag: "--k", Path: f.k}, outfile.Path{Flag: "--v", Path: f.v},
		outfile.Path{Flag: "--config", Path: f.config}, outfile.Path{Flag: "--design", Path: f.design})
}

// kvWrite writes the report and the plot, all or nothing.
func kvWrite(f *kvFlags, rs []*kv.Result, rep kv.Report, title string) error {
	var files []*pendingFile
	add := func(path string, data []byte, err error) error {
		if err != nil {
			return err
		}
		pf, err := stage(path, data)
		if err != nil {
			return err
		}
		files = append(files, pf)
		return nil
	}
	if f.report != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err := add(f.report, append(b, '\n'), err); err != nil {
			discard(files)
			return fmt.Errorf("--report: %w", err)
		}
	}
	if f.plot != "" {
		b, err := kvPlot(rs, title)
		if err := add(f.plot, b, err); err != nil {
			discard(files)
			return fmt.Errorf("--plot: %w", err)
		}
	}
	return commit(files)
}

// logTicks125 labels a log axis at 1, 2 and 5 times the powers of ten
// (minor ticks at the other integers times them).
type logTicks125 struct{}

// Ticks returns the ticks between lo and hi.
func (logTicks125) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1.0; m < 10; m++ {
			x := m * math.Pow(10, e)
			if x < lo || x > hi {
				continue
			}
			t := plot.Tick{Value: x}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(x, 'g', 3, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// kvPlot draws every run's mean relative L2 error against its bytes per
// decode step (all tiers), both on log axes, one glyph per policy, the
// budget written beside each point, and the Pareto front as a line. Runs
// with zero error (full attention) cannot sit on a log axis and are named
// in the title instead.
func kvPlot(rs []*kv.Result, title string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "KV policies: accuracy against traffic\n" + title
	p.X.Label.Text = "bytes per decode step (all tiers)"
	p.Y.Label.Text = "mean relative L2 error vs full attention"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks125{}, logTicks125{}
	p.Legend.Top, p.Legend.Left = true, false
	pts := kv.Points(rs)
	var shown []kv.Point
	var exact []string
	byPolicy := map[string]plotter.XYs{}
	var order []string
	var labels plotter.XYLabels
	for i, pt := range pts {
		if !(pt.Error > 0) || !(pt.Bytes > 0) {
			exact = append(exact, fmt.Sprintf("%s (error %g, %.0f B/step)", pt.Label, pt.Error, pt.Bytes))
			continue
		}
		if _, ok := byPolicy[pt.Label]; !ok {
			order = append(order, pt.Label)
		}
		byPolicy[pt.Label] = append(byPolicy[pt.Label], plotter.XY{X: pt.Bytes, Y: pt.Error})
		labels.XYs = append(labels.XYs, plotter.XY{X: pt.Bytes, Y: pt.Error})
		budget := fmt.Sprint(rs[i].Budget)
		if !policy.UsesBudget(rs[i].Policy) {
			budget = "all"
		}
		labels.Labels = append(labels.Labels, " "+budget)
		shown = append(shown, pt)
	}
	if len(shown) == 0 {
		return nil, fmt.Errorf("no run has a positive error and traffic to draw on log axes")
	}
	if len(exact) > 0 {
		p.Title.Text += "\nnot drawn (zero on a log axis): " + strings.Join(exact, ", ")
	}
	for i, name := range order {
		sc, err := plotter.NewScatter(byPolicy[name])
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color = plotutil.Color(i)
		sc.GlyphStyle.Shape = plotutil.Shape(i)
		sc.GlyphStyle.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(name, sc)
	}
	var front plotter.XYs
	for _, i := range kv.ParetoFront(shown) {
		front = append(front, plotter.XY{X: shown[i].Bytes, Y: shown[i].Error})
	}
	line, err := plotter.NewLine(front)
	if err != nil {
		return nil, err
	}
	line.LineStyle.Width = vg.Points(1.5)
	line.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(line)
	p.Legend.Add("Pareto front", line)
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
	}
	p.Add(lb, plotter.NewGrid())
	p.X.Max *= 30 // room on the right for the legend
	p.Y.Max *= 1.5
	w, err := p.WriterTo(10*vg.Inch, 7*vg.Inch, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// kvSpecs returns the runs the flags ask for.
func kvSpecs(cmd *cobra.Command, f *kvFlags) ([]kv.Spec, error) {
	fl := cmd.Flags()
	if f.compare {
		if fl.Changed("policy") || fl.Changed("budget") {
			return nil, fmt.Errorf("--compare runs --policies x --budgets; drop --policy/--budget")
		}
		budgets, err := kvParseBudgets(f.budgets)
		if err != nil {
			return nil, err
		}
		var specs []kv.Spec
		for _, p := range strings.Split(f.policies, ",") {
			p = strings.TrimSpace(p)
			if !slices.Contains(policy.Names, p) {
				return nil, fmt.Errorf("--policies: %q: unknown policy; allowed: %s", p, strings.Join(policy.Names, ", "))
			}
			if !policy.UsesBudget(p) { // full, kivi, pq: every token attended, one row
				specs = append(specs, kv.Spec{Policy: p, Budget: slices.Max(budgets)})
				continue
			}
			for _, b := range budgets {
				specs = append(specs, kv.Spec{Policy: p, Budget: b})
			}
		}
		return specs, nil
	}
	if f.policy == "" {
		return nil, fmt.Errorf("--policy is required (allowed: %s), or use --compare", strings.Join(policy.Names, ", "))
	}
	if !slices.Contains(policy.Names, f.policy) {
		return nil, fmt.Errorf("--policy %q: unknown policy; allowed: %s", f.policy, strings.Join(policy.Names, ", "))
	}
	if !fl.Changed("budget") && policy.UsesBudget(f.policy) {
		return nil, fmt.Errorf("--budget is required for policy %s (keys attended per decode query, >= 1)", f.policy)
	}
	b := f.budget
	if !fl.Changed("budget") {
		b = 1 << 30 // full ignores the budget
	} else if b < 1 {
		return nil, fmt.Errorf("--budget = %d: must be >= 1 (keys attended per decode query, its own included)", b)
	}
	return []kv.Spec{{Policy: f.policy, Budget: b}}, nil
}

func kvParseBudgets(s string) ([]int, error) {
	var out []int
	for _, x := range strings.Split(s, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil || b < 1 {
			return nil, fmt.Errorf("--budgets: %q: want comma-separated integers >= 1", x)
		}
		out = append(out, b)
	}
	return out, nil
}

// kvInputs loads Q, K and V from .npy files or the synthetic generator.
func kvInputs(cmd *cobra.Command, f *kvFlags) (q, k, v *reference.Tensor, in kv.Input, err error) {
	files := f.q != "" || f.k != "" || f.v != ""
	synth := cmd.Flags().Changed("seed")
	switch {
	case files && synth:
		return nil, nil, nil, in, fmt.Errorf("give either --q/--k/--v or --seed, not both")
	case synth:
		if cmd.Flags().Changed("layer") {
			return nil, nil, nil, in, fmt.Errorf("--layer selects a layer of .npy inputs; a synthetic trace (--seed) has one layer")
		}
		return kvSynthetic(f)
	case !files:
		return nil, nil, nil, in, fmt.Errorf("no input: give --q Q.npy --k K.npy --v V.npy, or --seed N for a synthetic trace")
	case f.q == "" || f.k == "" || f.v == "":
		return nil, nil, nil, in, fmt.Errorf("--q, --k and --v must all be given (got q=%q k=%q v=%q)", f.q, f.k, f.v)
	}
	in = kv.Input{Source: "npy", Q: f.q, K: f.k, V: f.v}
	t := make([]*reference.Tensor, 3)
	for i, path := range []string{f.q, f.k, f.v} {
		if t[i], err = kvLoadTensor(path, f.layer, cmd.Flags().Changed("layer")); err != nil {
			return nil, nil, nil, in, err
		}
	}
	if cmd.Flags().Changed("layer") {
		l := f.layer
		in.Layer = &l
	}
	in.Heads, in.KVHeads, in.Tokens, in.HeadDim = t[0].H, t[1].H, t[0].N, t[0].D
	if cmd.Flags().Changed("kv-heads") && f.kvHeads != t[1].H {
		return nil, nil, nil, in, fmt.Errorf("--kv-heads = %d: %s has %d heads (k.npy and v.npy are [kv-heads,N,D])", f.kvHeads, f.k, t[1].H)
	}
	return t[0], t[1], t[2], in, nil
}

// loadTensor reads one .npy input, selecting a layer of a rank-4 array.
func kvLoadTensor(path string, layer int, layerGiven bool) (*reference.Tensor, error) {
	a, err := traces.ReadArray(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) == 4 {
		if !layerGiven {
			return nil, fmt.Errorf("%s: shape %v is [L,H,N,D]: choose a layer with --layer 0..%d", path, a.Shape, a.Shape[0]-1)
		}
		return a.Layer(layer)
	}
	if layerGiven {
		return nil, fmt.Errorf("%s: shape %v has no layer axis: --layer applies to rank-4 [L,H,N,D] inputs", path, a.Shape)
	}
	return a.Tensor()
}

func kvSynthetic(f *kvFlags) (q, k, v *reference.Tensor, in kv.Input, err error) {
	if f.seed < 0 {
		return nil, nil, nil, in, fmt.Errorf("--seed = %d: must be >= 0", f.seed)
	}
	p := traces.SynthParamsFor(uint64(f.seed), f.heads, f.tokens, f.headDim)
	p.KVHeads = f.kvHeads
	if f.kvHeads < 0 || (f.kvHeads > 0 && f.heads%f.kvHeads != 0) {
		return nil, nil, nil, in, fmt.Errorf("--kv-heads = %d: must divide --heads = %d (0 = as many as --heads)", f.kvHeads, f.heads)
	}
	if q, k, v, err = traces.Generate(p); err != nil {
		return nil, nil, nil, in, fmt.Errorf("synthetic trace: %w", err)
	}
	seed := f.seed
	in = kv.Input{Source: "synthetic", Seed: &seed, Heads: q.H, KVHeads: k.H, Tokens: q.N, HeadDim: q.D}
	return q, k, v, in, nil
}

func kvDescribe(in kv.Input) string {
	src := fmt.Sprintf("synthetic seed %d", kvDerefOr(in.Seed, 0))
	if in.Source == "npy" {
		src = in.Q
		if in.Layer != nil {
			src += fmt.Sprintf(" layer %d", *in.Layer)
		}
	}
	if in.KVHeads != in.Heads {
		return fmt.Sprintf("%s [H=%d Hkv=%d N=%d D=%d]", src, in.Heads, in.KVHeads, in.Tokens, in.HeadDim)
	}
	return fmt.Sprintf("%s [H=%d N=%d D=%d]", src, in.Heads, in.Tokens, in.HeadDim)
}

func kvDerefOr[T any](p *T, d T) T {
	if p == nil {
		return d
	}
	return *p
}

func kvPrintSummary(w io.Writer, s kv.Summary, in kv.Input, elapsed float64) {
	fmt.Fprintf(w, "kv %s budget %d: %s, prompt %d, %d decode steps, %.1f s\n", s.Policy, s.Budget, kvDescribe(in), in.Prompt, in.Steps, elapsed)
	fmt.Fprintf(w, "  rel_l2_error_mean %.6g  cosine_mean %.6g  kept_mass_mean %.4f  topk_recall@%d %.3f  caote_error_mean %.4g\n",
		s.RelL2ErrorMean, s.CosineMean, s.KeptMassMean, s.TopKRecallK, s.TopKRecallMean, s.CAOTEErrorMean)
	if s.HWRelL2ErrorMean != nil {
		fmt.Fprintf(w, "  hw_rel_l2_error_mean %.6g, hw_arith_rel_l2_error_mean %.6g (fixed-point parts merged by the merge unit, against full and against this policy's float64 output)\n",
			*s.HWRelL2ErrorMean, *s.HWArithErrorMean)
	}
	var tiers []string
	for name, b := range s.BytesPerStep {
		tiers = append(tiers, fmt.Sprintf("%s %.0f", name, b))
	}
	slices.Sort(tiers)
	fmt.Fprintf(w, "  bytes/step: %s\n", strings.Join(tiers, ", "))
	p := s.CyclesPerStepBy
	fmt.Fprintf(w, "  cycles/step %.1f (pre-select %.1f, select %.1f, attention %.1f, merge %.1f)  tokens/s %.0f\n",
		s.CyclesPerStep, p.PreSelect, p.Select, p.Attention, p.Merge, s.TokensPerS)
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	for _, note := range s.Notes {
		fmt.Fprintf(w, "  %s\n", note)
	}
}

func kvReport(rs []*kv.Result, in kv.Input, cfg kv.Config, elapsed float64, compare bool) kv.Report {
	rep := kv.Report{Input: in, Config: cfg, WallSeconds: elapsed}
	if compare {
		for _, r := range rs {
			rep.Rows = append(rep.Rows, r.Summarize())
		}
		return rep
	}
	sum := rs[0].Summarize()
	rep.Summary = &sum
	rep.PerStep = rs[0].Records()
	return rep
}

// kvPolicyFlags applies the methods' flags to the configuration, each
// checked against its allowed range (the kv head count and the head
// dimension are the input's).
func kvPolicyFlags(cmd *cobra.Command, f *kvFlags, cfg *kv.Config, kvHeads, d int) error {
	fl := cmd.Flags()
	pc := &cfg.Policy
	set := func(name string, dst *int, v int, ok bool, allowed string) error {
		if !fl.Changed(name) {
			return nil
		}
		if !ok {
			return fmt.Errorf("--%s = %d: %s", name, v, allowed)
		}
		*dst = v
		return nil
	}
	if fl.Changed("residual") {
		pc.PQResidual = f.residual
	}
	for _, err := range []error{
		set("bits", &pc.KIVIBits, f.bits, f.bits == 2 || f.bits == 4, "allowed: 2, 4"),
		set("group", &pc.KIVIGroup, f.group, f.group >= 1, "must be >= 1"),
		set("residual", &pc.KIVIResidual, f.residual, f.residual >= 0, "must be >= 0"),
		set("pq-m", &pc.PQM, f.pqM, f.pqM >= 1 && d%max(f.pqM, 1) == 0, fmt.Sprintf("must divide the head dim %d", d)),
		set("pq-bits", &pc.PQBits, f.pqBits, f.pqBits >= 1 && f.pqBits <= 16, "must be in [1, 16]"),
		set("rank", &pc.ShadowKVRank, f.rank, f.rank >= 1 && f.rank <= kvHeads*d, fmt.Sprintf("must be in [1, %d] (kv heads x head dim)", kvHeads*d)),
		set("block", &pc.MoBABlock, f.block, f.block >= 1, "must be >= 1"),
	} {
		if err != nil {
			return err
		}
	}
	if (fl.Changed("residual") || fl.Changed("group")) && pc.KIVIResidual%pc.KIVIGroup != 0 {
		return fmt.Errorf("--residual = %d: must be a multiple of --group = %d", pc.KIVIResidual, pc.KIVIGroup)
	}
	if fl.Changed("retrieval-frac") {
		if !(f.retrievalFrac >= 0 && f.retrievalFrac <= 1) {
			return fmt.Errorf("--retrieval-frac = %g: must be in [0, 1]", f.retrievalFrac)
		}
		pc.DuoRetrievalFrac = f.retrievalFrac
	}
	return nil
}
