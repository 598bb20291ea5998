package lm

import (
	"fmt"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
)

// Spec is one closed-loop run: a policy at a budget (or SWAT window
// attention of width Window with the configured sinks) and an attention
// arithmetic.
type Spec struct {
	Policy string // a policy.Names entry; ignored when Window > 0
	Budget int    // keys attended per decode query (>= 1); ignored when Window > 0
	Window int    // > 0: sliding-window attention of width Window plus the sinks (streaming, budget Window + sinks)
	Arith  reference.Arith
}

// Report is the result of one run: the keys of `swatsim lm --report`.
type Report struct {
	Policy           string             `json:"policy"`
	Budget           int                `json:"budget"`
	Window           int                `json:"window,omitempty"`
	Sinks            int                `json:"sinks"`
	Arith            string             `json:"arith"`
	Layers           int                `json:"layers"`
	Prompt           int                `json:"prompt"`
	Predicted        int                `json:"predicted_bytes"`
	BitsPerByte      float64            `json:"bits_per_byte"`
	LossNatsMean     float64            `json:"loss_nats_mean"`
	BitsPerByteFull  float64            `json:"bits_per_byte_full"`
	DeltaBitsPerByte float64            `json:"delta_bits_per_byte"`
	KVBytesPerStep   map[string]float64 `json:"kv_bytes_per_step"`
	AttnRelL2        []float64          `json:"attention_rel_l2"`
	AttnRelL2Mean    float64            `json:"attention_rel_l2_mean"`
	ArithFracs       [][3]int           `json:"arith_fracs,omitempty"`
	// ArithScalesStable says whether the run's own tensors pick the
	// scales it used (so `swatsim ref` on its dump picks them too).
	ArithScalesStable *bool `json:"arith_scales_stable,omitempty"`
}

// Runner runs specs over one text, sharing the full-attention baseline.
type Runner struct {
	Model  *Model
	Text   []byte
	KV     kv.Config // policy hyperparameters (sinks, ...) and the memory hierarchy
	Prompt int
	full   *Forward
}

// NewRunner checks the text and the prompt against the model.
func NewRunner(m *Model, text []byte, cfg kv.Config, prompt int) (*Runner, error) {
	if err := m.CheckText(text); err != nil {
		return nil, err
	}
	if n := len(text) - 1; prompt < 0 || prompt >= n {
		return nil, fmt.Errorf("prompt = %d: must be in [0, %d] (the text has %d inputs; at least one decode step)", prompt, n-1, n)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Runner{Model: m, Text: text, KV: cfg, Prompt: prompt}, nil
}

// Full is the float64 full-attention forward pass of the text (computed
// once).
func (r *Runner) Full() (*Forward, error) {
	if r.full == nil {
		f, err := r.Model.Forward(r.Text, FullAttention())
		if err != nil {
			return nil, err
		}
		r.full = f
	}
	return r.full, nil
}

// Check validates a spec without running it.
func (r *Runner) Check(s Spec) error {
	_, err := r.options(s, nil)
	return err
}

// options turns a spec into decode options.
func (r *Runner) options(s Spec, fracs [][3]int) (DecodeOptions, error) {
	opt := DecodeOptions{Policy: s.Policy, Budget: s.Budget, KV: r.KV, Prompt: r.Prompt, Arith: s.Arith, Fracs: fracs}
	if s.Window < 0 {
		return opt, fmt.Errorf("window = %d: must be >= 1 (0: no window)", s.Window)
	}
	if s.Window > 0 {
		opt.Policy, opt.Budget = "streaming", s.Window+r.KV.Policy.Sinks
	}
	if opt.Budget < 1 {
		return opt, fmt.Errorf("budget = %d: must be >= 1 (keys attended per decode query, its own included)", opt.Budget)
	}
	if err := s.Arith.Validate(); err != nil {
		return opt, err
	}
	if err := s.Arith.CheckHeadDim(r.Model.Meta.HeadDim); err != nil {
		return opt, err
	}
	n := len(r.Text) - 1
	mt := r.Model.Meta
	probe := reference.NewTensor(mt.Heads, n, mt.HeadDim)
	st, err := kv.NewStepper(r.KV, opt.Policy, opt.Budget, policyData(probe))
	if err != nil {
		return opt, err
	}
	return opt, checkApprox(st.Policy(), s.Arith)
}

// Run decodes the text under a spec. A fixed-point arithmetic uses static
// per-layer Q, K and V scales: AutoScale's choice on the tensors the run
// produces (the choice `swatsim ref` makes on them), found by starting
// from the full-attention run's tensors and repeating until the choice is
// stable.
func (r *Runner) Run(s Spec) (*Report, *Decode, error) {
	full, err := r.Full()
	if err != nil {
		return nil, nil, err
	}
	var fracs [][3]int
	if !s.Arith.Float {
		if fracs, err = scalesOf(s.Arith, full.QKV); err != nil {
			return nil, nil, err
		}
	}
	var dec *Decode
	stable := s.Arith.Float
	for round := 0; ; round++ {
		opt, err := r.options(s, fracs)
		if err != nil {
			return nil, nil, err
		}
		if dec, err = r.Model.Decode(r.Text, opt); err != nil {
			return nil, nil, err
		}
		if s.Arith.Float {
			break
		}
		next, err := scalesOf(s.Arith, dec.QKV)
		if err != nil {
			return nil, nil, err
		}
		if stable = equalFracs(next, fracs); stable || round == scaleRounds-1 {
			break
		}
		fracs = next
	}
	rep := r.report(s, dec, fracs, full)
	if !s.Arith.Float {
		rep.ArithScalesStable = &stable
	}
	return rep, dec, nil
}

// scaleRounds bounds the runs that search for stable fixed-point scales.
const scaleRounds = 4

// report collects a run's figures under the report keys.
func (r *Runner) report(s Spec, dec *Decode, fracs [][3]int, full *Forward) *Report {
	mt := r.Model.Meta
	rep := &Report{
		Policy: s.Policy, Budget: s.Budget, Sinks: r.KV.Policy.Sinks, Arith: s.Arith.Name, Layers: mt.Layers,
		Prompt: r.Prompt, Predicted: len(dec.Losses), BitsPerByte: BitsPerByte(dec.Losses), LossNatsMean: Mean(dec.Losses),
		BitsPerByteFull: BitsPerByte(full.Losses), KVBytesPerStep: map[string]float64{},
		AttnRelL2: dec.AttnRelL2, AttnRelL2Mean: Mean(dec.AttnRelL2), ArithFracs: fracs,
	}
	if s.Window > 0 {
		rep.Policy, rep.Budget, rep.Window = "window", s.Window+r.KV.Policy.Sinks, s.Window
	}
	if rep.Policy == "full" {
		rep.Budget = len(dec.Losses)
	}
	rep.DeltaBitsPerByte = rep.BitsPerByte - rep.BitsPerByteFull
	for i, name := range r.KV.TierNames() {
		rep.KVBytesPerStep[name] = dec.KVBytes[i]
	}
	return rep
}

// scalesOf is the fraction bits AutoScale picks for each layer's Q, K and
// V: the reference kernel's FitScales, as `swatsim ref` fits them.
func scalesOf(a reference.Arith, qkv []LayerQKV) ([][3]int, error) {
	out := make([][3]int, len(qkv))
	for l, t := range qkv {
		k, err := reference.NewKernel(a, t.Q.D, 0)
		if err != nil {
			return nil, err
		}
		k.FitScales(t.Q, t.K, t.V)
		out[l] = [3]int{k.QFrac, k.KFrac, k.VFrac}
	}
	return out, nil
}

func equalFracs(a, b [][3]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
