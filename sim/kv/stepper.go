package kv

import (
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// Stepper drives one policy over one layer step by step for a caller that
// computes the attention itself — a language model in the loop, whose Q, K
// and V rows only exist once the previous layers have run. It makes the
// simulator's calls in the simulator's order (Evict, Append, Attended,
// then Observe with the caller's attention) and places the cache over the
// tiers with the simulator's memory model, so each step's bytes per tier
// are those `swatsim kv` counts. The caller fills row t of the layer's
// Q, K and V before Step(t); the policy only ever sees rows <= t.
type Stepper struct {
	decider
	cfg   Config
	att   [][]int
	bytes [timing.NumTiers]int64
}

// NewStepper builds the named policy at a budget over data (the layer's
// [H, N, D] tensors, filled row by row by the caller) with cfg's policy
// hyperparameters and memory hierarchy.
func NewStepper(cfg Config, name string, budget int, data policy.Data) (*Stepper, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := policy.New(name, data, cfg.policyParams(budget))
	if err != nil {
		return nil, err
	}
	return &Stepper{decider: newDecider(cfg, name, p, data), cfg: cfg, att: make([][]int, data.Q.H)}, nil
}

// Policy is the policy object the stepper drives.
func (s *Stepper) Policy() policy.Policy { return s.pol }

// Start builds the cache from the first p tokens (the prompt, whose rows
// must be filled) with their dense causal attention statistics, and
// returns the observation of the last prompt query for the first Step
// (p = 0: an empty prompt and an empty observation).
func (s *Stepper) Start(p int, scale float64) *policy.Obs {
	last := newObs(s.data.Q.H)
	s.begin(s.prompt(p, scale), last)
	return last
}

// prompt computes the prompt statistics the policy needs; an empty prompt
// has empty per-head statistics.
func (s *Stepper) prompt(p int, scale float64) *policy.Prefill {
	name := s.pol.Name()
	window := 0
	if policy.NeedsWindow(name) {
		window = s.cfg.Policy.SnapKVWindow
	}
	if p > 0 {
		return computePrefill(s.data.Q, s.data.K, s.data.V, p, scale, policy.NeedsColSum(name), window)
	}
	h := s.data.Q.H
	pf := &policy.Prefill{Last: make([][]float64, h), LastO: make([][]float64, h), ColSum: make([][]float64, h), Window: make([][]float64, h)}
	for hd := range h {
		pf.Last[hd], pf.LastO[hd], pf.ColSum[hd], pf.Window[hd] = []float64{}, make([]float64, s.data.Q.D), []float64{}, []float64{}
	}
	return pf
}

// Step runs the policy's side of decode step t — eviction decided with
// last (the previous query's attention), the append of token t, the
// selection — and the memory traffic of it; it returns the tokens each
// head's query attends to (valid until the next Step).
func (s *Stepper) Step(t int, last *policy.Obs) [][]int {
	s.decide(t, last, s.att)
	s.bytes, _, _ = s.mem.stepBytes()
	return s.att
}

// Observe hands the policy step t's attention (obs.Att must be the
// attended tokens Step returned; obs.P must be filled when
// policy.NeedsProbs).
func (s *Stepper) Observe(obs *policy.Obs) { s.pol.Observe(obs) }

// Bytes is the last step's bytes moved per tier, in timing's tier order
// (names: Config.TierNames).
func (s *Stepper) Bytes() [timing.NumTiers]int64 { return s.bytes }

// Logits writes s_j = (q . k_j) * scale for the keys j < n of head h of k:
// the simulator's logits, bit-identical to the reference float64 row's.
func Logits(q []float64, k *reference.Tensor, h, n int, scale float64, s []float64) {
	logitsInto(q, k, h, n, scale, s)
}
