package kv

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
)

// Spec names one run: a policy at a budget.
type Spec struct {
	Policy string
	Budget int
}

// Builder builds decode simulators.
type Builder struct {
	cfg       Config
	prompt    int
	promptSet bool
	steps     int
}

// MakeBuilder returns a builder with the embedded default configuration,
// a prompt of half the tokens and every remaining token decoded.
func MakeBuilder() Builder { return Builder{cfg: DefaultConfig()} }

// WithConfig sets the memory hierarchy, hardware and policy parameters.
func (b Builder) WithConfig(c Config) Builder {
	b.cfg = c
	return b
}

// WithPrompt sets the prompt length P, in [1, N-1] (unset: N/2).
func (b Builder) WithPrompt(p int) Builder {
	b.prompt, b.promptSet = p, true
	return b
}

// WithSteps limits decode to the first n steps t = P..P+n-1 (0: all).
func (b Builder) WithSteps(n int) Builder {
	b.steps = n
	return b
}

// Simulator runs policies over one layer's Q, K and V.
type Simulator struct {
	cfg    Config
	data   policy.Data
	scale  float64
	prompt int
	steps  int
	hw     *hardware
	// elapsed is the wall time of the last Run.
	elapsed float64
}

// Build checks the configuration against the data and returns the
// simulator.
func (b Builder) Build(q, k, v *reference.Tensor) (*Simulator, error) {
	if err := checkGQA(q, k, v); err != nil {
		return nil, err
	}
	if err := checkMagnitude(q, k, v); err != nil {
		return nil, err
	}
	if err := b.cfg.Validate(); err != nil {
		return nil, err
	}
	n, d := q.N, q.D
	if err := b.cfg.checkRow(d); err != nil {
		return nil, err
	}
	if n < 2 {
		return nil, fmt.Errorf("tokens = %d: decode needs at least 2 (a prompt and one step)", n)
	}
	p := b.prompt
	if !b.promptSet {
		p = n / 2
	}
	if p < 1 || p >= n {
		return nil, fmt.Errorf("prompt = %d: must be in [1, %d] (N = %d tokens; at least one decode step)", p, n-1, n)
	}
	steps := b.steps
	if steps < 0 || p+steps > n {
		return nil, fmt.Errorf("steps = %d: must be in [0, %d] with prompt %d and N = %d (0 = all)", steps, n-p, p, n)
	}
	if steps == 0 {
		steps = n - p
	}
	for _, t := range []struct {
		key string
		c   TierConfig
	}{{"kv.hbm", b.cfg.HBM}, {"kv.host", b.cfg.Host}} {
		if err := b.cfg.geometry(t.c, d).Validate(t.key); err != nil {
			return nil, err
		}
	}
	s := &Simulator{cfg: b.cfg, data: policy.Data{Q: q, K: k, V: v}, scale: b.cfg.Scale, prompt: p, steps: steps}
	if s.scale == 0 {
		s.scale = 1 / math.Sqrt(float64(d))
	}
	if b.cfg.Compute.Arith != "float64" {
		a, _ := reference.Preset(b.cfg.Compute.Arith)
		hw, err := newHardware(a, q, k, v, s.scale)
		if err != nil {
			return nil, fmt.Errorf("kv.compute.arith %s: %w", a.Name, err)
		}
		s.hw = hw
	}
	return s, nil
}

// maxInput bounds |x| of every input element. Below it no logit, output
// or squared norm (at most 2^28 elements of 1e298) of the decode model's
// float64 arithmetic can overflow, so no metric turns NaN.
const maxInput = 1e149

// checkMagnitude refuses inputs the decode model's float64 arithmetic
// would overflow on, naming the tensor and the element.
func checkMagnitude(q, k, v *reference.Tensor) error {
	for _, x := range []struct {
		name string
		t    *reference.Tensor
	}{{"q", q}, {"k", k}, {"v", v}} {
		for i, e := range x.t.Data {
			if math.Abs(e) > maxInput {
				return fmt.Errorf("%s: element %d is %g: the decode model's float64 arithmetic needs |x| <= %g (a logit or a squared norm would overflow); rescale the tensor", x.name, i, e, maxInput)
			}
		}
	}
	return nil
}

// checkGQA checks Q ([H,N,D]) against K and V ([Hkv,N,D]): Hkv must
// divide H (grouped-query attention; Hkv = H is multi-head attention).
func checkGQA(q, k, v *reference.Tensor) error {
	if q == nil || k == nil || k.H == q.H {
		return reference.CheckQKV(q, k, v)
	}
	if err := reference.CheckQKV(k, k, v); err != nil {
		return err
	}
	if err := reference.CheckQKV(q, q, q); err != nil {
		return err
	}
	if k.N != q.N || k.D != q.D || q.H%k.H != 0 {
		return fmt.Errorf("shape mismatch: q %v, k %v, v %v: tokens and head dim must match and the kv heads (%d) must divide the query heads (%d)", q.Shape(), k.Shape(), v.Shape(), k.H, q.H)
	}
	return nil
}

// Elapsed is the wall-clock time of the last Run in seconds.
func (s *Simulator) Elapsed() float64 { return s.elapsed }

// Prompt is the prompt length P.
func (s *Simulator) Prompt() int { return s.prompt }

// Steps is the number of decode steps.
func (s *Simulator) Steps() int { return s.steps }

// CheckSpec reports whether a spec can run: a known policy, a valid
// budget, and a cache the tiers can hold.
func (s *Simulator) CheckSpec(sp Spec) error {
	if _, err := policy.New(sp.Policy, s.data, s.cfg.policyParams(sp.Budget)); err != nil {
		return err
	}
	h, n, d := s.data.K.H, s.data.Q.N, s.data.Q.D
	tokens, what := int64(sp.Budget), fmt.Sprintf("budget %d", sp.Budget)
	if policy.KeepsAll(sp.Policy) {
		tokens, what = int64(n), fmt.Sprintf("policy %s keeps all %d tokens", sp.Policy, n)
	}
	tb := s.cfg.tokenBytes(h, d)
	onchip := int64(s.cfg.onChipTokens(h, d)) * tb
	total := onchip + s.cfg.HBM.CapacityBytes + s.cfg.Host.CapacityBytes
	if need := tokens * tb; tokens > math.MaxInt64/tb || need > total {
		return fmt.Errorf("%s: the cache needs %d tokens x %d B (%d kv heads x K+V x %d dims x %g B) = %.4g B, but the tiers hold %d B (onchip %d, %s %d, host %d); lower --budget or raise kv.%s.capacity_bytes / kv.host.capacity_bytes",
			what, tokens, tb, h, d, s.cfg.ElemBytes, float64(tokens)*float64(tb), total, onchip, s.cfg.HBM.Name, s.cfg.HBM.CapacityBytes, s.cfg.Host.CapacityBytes, "hbm")
	}
	return nil
}

// Run simulates every spec in lock step over the decode steps and returns
// one result per spec, in order.
func (s *Simulator) Run(specs []Spec) ([]*Result, error) { return s.run(specs, nil) }

// observer sees every instance after each decode step (tests); ref is the
// reference and insts[i] is nil where specs[i] is policy full.
type observer func(t int, ref *instance, insts []*instance)

func (s *Simulator) run(specs []Spec, obs observer) ([]*Result, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("kv: no policy to run")
	}
	for _, sp := range specs {
		if err := s.CheckSpec(sp); err != nil {
			return nil, err
		}
	}
	begin := time.Now()
	ref, insts, err := s.instances(specs)
	if err != nil {
		return nil, err
	}
	pf := s.prefill(specs)
	ref.start(pf)
	for _, in := range insts {
		if in != nil {
			in.start(pf)
		}
	}
	or := newOracle(s.data.Q, s.data.K, s.scale, s.cfg.Metrics.RecallK)
	for t := s.prompt; t < s.prompt+s.steps; t++ {
		if err := s.step(t, or, ref, insts); err != nil {
			return nil, err
		}
		if obs != nil {
			obs(t, ref, insts)
		}
	}
	elapsed := time.Since(begin).Seconds()
	out := make([]*Result, len(specs))
	for i, sp := range specs {
		in := ref
		if sp.Policy != "full" {
			in = insts[i]
		}
		out[i] = s.result(in)
	}
	s.elapsed = elapsed
	return out, nil
}

// instances builds the reference (policy full) and one instance per spec;
// specs of policy full share the reference (insts[i] is nil for them).
func (s *Simulator) instances(specs []Spec) (*instance, []*instance, error) {
	ref, err := newInstance(s, Spec{Policy: "full", Budget: s.data.Q.N})
	if err != nil {
		return nil, nil, err
	}
	insts := make([]*instance, len(specs))
	for i, sp := range specs {
		if sp.Policy == "full" {
			continue
		}
		if insts[i], err = newInstance(s, sp); err != nil {
			return nil, nil, err
		}
	}
	return ref, insts, nil
}

// prefill computes the prompt statistics the specs need.
func (s *Simulator) prefill(specs []Spec) *policy.Prefill {
	colSum, window := false, 0
	for _, sp := range specs {
		colSum = colSum || policy.NeedsColSum(sp.Policy)
		if policy.NeedsWindow(sp.Policy) {
			window = s.cfg.Policy.SnapKVWindow
		}
	}
	return computePrefill(s.data.Q, s.data.K, s.data.V, s.prompt, s.scale, colSum, window)
}

// step runs decode step t: the oracle, the reference, then the other
// instances in parallel.
func (s *Simulator) step(t int, or *oracle, ref *instance, insts []*instance) error {
	or.compute(t)
	or.oFull = nil
	if err := ref.step(t, or); err != nil {
		return err
	}
	errs := make([]error, len(insts))
	var wg sync.WaitGroup
	for i, in := range insts {
		if in == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = in.step(t, or)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
