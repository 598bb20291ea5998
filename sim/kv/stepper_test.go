package kv

import (
	"slices"
	"testing"

	"github.com/swatsim/swatsim/sim/kv/policy"
)

// cloneObs deep-copies an observation.
func cloneObs(o *policy.Obs) *policy.Obs {
	c := &policy.Obs{T: o.T, M: slices.Clone(o.M), L: slices.Clone(o.L)}
	for h := range o.Att {
		c.Att = append(c.Att, slices.Clone(o.Att[h]))
		c.P = append(c.P, slices.Clone(o.P[h]))
		c.S = append(c.S, slices.Clone(o.S[h]))
		c.O = append(c.O, slices.Clone(o.O[h]))
	}
	return c
}

// TestStepperMatchesTheSimulator drives a Stepper with the simulator's own
// attention, step by step, beside the simulator: the attended tokens and
// every tier's bytes must be the simulator's at every step, for every
// policy, with caches spread over all three tiers.
func TestStepperMatchesTheSimulator(t *testing.T) {
	const h, n, d, prompt = 2, 160, 16, 40
	q, k, v := synth(t, h, n, d, 4)
	cfg := splitConfig(h, d, 24, 40)
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(prompt).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range policy.Names {
		st, err := NewStepper(cfg, name, 64, policy.Data{Q: q, K: k, V: v})
		if err != nil {
			t.Fatal(err)
		}
		last := st.Start(prompt, s.scale)
		steps := 0
		_, err = s.run([]Spec{{Policy: name, Budget: 64}}, func(tt int, ref *instance, insts []*instance) {
			in := insts[0]
			if in == nil {
				in = ref
			}
			att := st.Step(tt, last)
			for hd := range h {
				if !slices.Equal(att[hd], in.last.Att[hd]) {
					t.Fatalf("%s step %d head %d: stepper attends %v, simulator %v", name, tt, hd, att[hd], in.last.Att[hd])
				}
			}
			if got, want := st.Bytes(), in.steps[len(in.steps)-1].Bytes; got != want {
				t.Fatalf("%s step %d: stepper bytes %v, simulator %v", name, tt, got, want)
			}
			last = cloneObs(in.last)
			st.Observe(last)
			steps++
		})
		if err != nil {
			t.Fatal(err)
		}
		if steps != n-prompt {
			t.Fatalf("%s: %d steps", name, steps)
		}
	}
}
