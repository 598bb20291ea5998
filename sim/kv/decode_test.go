package kv

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
)

func TestStreamingEqualsTheReferenceSlidingWindowMask(t *testing.T) {
	const h, n, d = 2, 192, 32
	q, k, v := synth(t, h, n, d, 3)
	cases := []struct {
		sinks, window int
		cfg           Config
		exact         bool // one part per query: bit for bit
	}{
		{4, 28, splitConfig(h, d, 64, 1000), true},
		{0, 16, splitConfig(h, d, 64, 1000), true},
		{4, 28, splitConfig(h, d, 8, 10), false},
		{2, 61, splitConfig(h, d, 5, 20), false},
		{1, 1, splitConfig(h, d, 0, 1), false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("S%d_W%d_onchip%d", tc.sinks, tc.window, tc.cfg.OnChip.CapacityTokens), func(t *testing.T) {
			tc.cfg.Policy.Sinks = tc.sinks
			s, err := MakeBuilder().WithConfig(tc.cfg).WithPrompt(50).Build(q, k, v)
			if err != nil {
				t.Fatal(err)
			}
			// B = S + W: the query of step t attends to S sinks and the W
			// keys t-W+1..t, exactly reference.Mask's row t.
			c := capture(t, s, []Spec{{"streaming", tc.sinks + tc.window}})
			mask := reference.Mask{Causal: true, Window: tc.window, Sinks: tc.sinks, N: n}
			want := floatAttend(t, q, k, v, mask)
			for step, o := range c.outs[0] {
				tt := 50 + step
				for hh := range h {
					if !slices.Equal(c.atts[0][step][hh], mask.Keys(tt, nil)) {
						t.Fatalf("t=%d head %d: attended %v, mask keys %v", tt, hh, c.atts[0][step][hh], mask.Keys(tt, nil))
					}
					for x, got := range o[hh] {
						w := want.Row(hh, tt)[x]
						if tc.exact && got != w || math.Abs(got-w) > 1e-12 {
							t.Fatalf("t=%d head %d col %d: %v, reference %v (exact=%v)", tt, hh, x, got, w, tc.exact)
						}
					}
				}
			}
		})
	}
}

func TestFullSplitOverThreeTiersEqualsDenseAttention(t *testing.T) {
	const h, n, d = 2, 160, 16
	q, k, v := synth(t, h, n, d, 4)
	want := floatAttend(t, q, k, v, reference.Mask{Causal: true, Dense: true})
	for _, cfg := range []Config{splitConfig(h, d, 7, 13), splitConfig(h, d, 0, 40), splitConfig(h, d, 1000, 0)} {
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(40).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"full", n}})
		for step, o := range c.outs[0] {
			for hh := range h {
				for x, got := range o[hh] {
					if w := want.Row(hh, 40+step)[x]; math.Abs(got-w) > 1e-12 {
						t.Fatalf("onchip %d: t=%d head %d: %v vs dense %v", cfg.OnChip.CapacityTokens, 40+step, hh, got, w)
					}
				}
			}
		}
	}
}

func TestBudgetAtLeastNEqualsFullForEveryPolicy(t *testing.T) {
	const h, n, d = 3, 128, 16
	q, k, v := synth(t, h, n, d, 5)
	cfg := splitConfig(h, d, 9, 30) // three parts per query
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(48).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	specs := []Spec{{"full", n}}
	for _, p := range policy.Names[1:] {
		specs = append(specs, Spec{p, n}, Spec{p, 3 * n})
	}
	c := capture(t, s, specs)
	for i, sp := range specs {
		for step := range c.outs[i] {
			for hh := range h {
				if sp.Policy == "shadowkv" { // keys rebuilt from a full-rank (48 = H*D) SVD: equal up to rounding
					if e := relDiff(c.outs[i][step][hh], c.outs[0][step][hh]); e > 1e-10 {
						t.Fatalf("shadowkv budget %d t=%d head %d: rel error %g from full at full rank", sp.Budget, 48+step, hh, e)
					}
					continue
				}
				if !slices.Equal(c.outs[i][step][hh], c.outs[0][step][hh]) {
					t.Fatalf("%s budget %d t=%d head %d: output differs from full", sp.Policy, sp.Budget, 48+step, hh)
				}
			}
		}
		r := c.results[i]
		if (r.RelL2Mean() != 0 && sp.Policy != "shadowkv") || r.RelL2Mean() > 1e-10 || r.CAOTEErrorMean() != 0 || r.RecallMean() != 1 {
			t.Fatalf("%s budget %d: rel %v caote %v recall %v, want 0, 0, 1", sp.Policy, sp.Budget, r.RelL2Mean(), r.CAOTEErrorMean(), r.RecallMean())
		}
		if math.Abs(r.KeptMassMean()-1) > 1e-12 || math.Abs(r.CosineMean()-1) > 1e-12 {
			t.Fatalf("%s budget %d: kept %v cosine %v", sp.Policy, sp.Budget, r.KeptMassMean(), r.CosineMean())
		}
	}
}

func TestEveryPolicyAttendsWithinItsBudget(t *testing.T) {
	const h, n, d = 2, 200, 16
	q, k, v := synth(t, h, n, d, 6)
	cfg := splitConfig(h, d, 12, 40)
	cfg.Policy.SnapKVWindow = 8 // below the smallest budget
	cfg.Policy.MoBABlock = 8
	cfg.Policy.ShadowKVOutliers, cfg.Policy.ShadowKVRecent = 0, 4
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(100).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	var specs []Spec
	for _, p := range policy.Names {
		for _, b := range []int{16, 33, 64} {
			specs = append(specs, Spec{p, b})
		}
	}
	c := capture(t, s, specs)
	for i, sp := range specs {
		for step, att := range c.atts[i] {
			tt := 100 + step
			for hh, a := range att {
				lim := sp.Budget
				if !policy.UsesBudget(sp.Policy) || sp.Policy == "duo" { // duo's retrieval heads keep every token
					lim = tt + 1
				}
				if sp.Policy == "shadowkv" { // decode tokens join its exact local cache, outside the budget
					lim = sp.Budget + tt - 100 + 1
				}
				if len(a) > lim || !slices.IsSorted(a) || a[len(a)-1] != tt || a[0] < 0 {
					t.Fatalf("%s budget %d t=%d head %d: attended %d keys (limit %d), last %d", sp.Policy, sp.Budget, tt, hh, len(a), lim, a[len(a)-1])
				}
			}
		}
		r := c.results[i]
		if r.KeptMassMean() > 1+1e-12 || r.RecallMean() > 1 || r.CosineMean() > 1+1e-12 {
			t.Fatalf("%s %d: metrics out of range: %+v", sp.Policy, sp.Budget, r.Summarize())
		}
	}
}

func TestHardwareMergeOfOnePartIsTheReferenceRow(t *testing.T) {
	const h, n, d = 2, 96, 16
	q, k, v := synth(t, h, n, d, 7)
	a, _ := reference.Preset("fixed16")
	ref, err := reference.Attend(q, k, v, reference.Options{Mask: reference.Mask{Causal: true, Dense: true}, Arith: a})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cfg   Config
		exact bool
	}{{splitConfig(h, d, 1000, 10), true}, {splitConfig(h, d, 5, 9), false}} {
		tc.cfg.Compute.Arith = "fixed16"
		s, err := MakeBuilder().WithConfig(tc.cfg).WithPrompt(32).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		var hw [][][]float64
		res, err := s.run([]Spec{{"full", n}}, func(_ int, r *instance, _ []*instance) {
			var o [][]float64
			for hh := range h {
				o = append(o, slices.Clone(r.hw.out[hh]))
			}
			hw = append(hw, o)
		})
		if err != nil {
			t.Fatal(err)
		}
		for step := range hw {
			for hh := range h {
				want := ref.O.Row(hh, 32+step)
				if tc.exact && !slices.Equal(hw[step][hh], want) {
					t.Fatalf("one part: t=%d head %d: hardware %v, reference row %v", 32+step, hh, hw[step][hh], want)
				}
			}
		}
		if e, a := res[0].HWRelL2Mean(), res[0].HWArithMean(); !(e < 2e-3) || e != a {
			t.Fatalf("hardware merge error %v (arithmetic share %v), want < 2e-3 and equal for policy full", e, a)
		}
	}
}
