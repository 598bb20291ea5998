package kv

import (
	"math"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// naiveOut is softmax(q . k / sqrt(d)) v over explicit rows (independent
// of package split).
func naiveOut(q []float64, keys, vals [][]float64) []float64 {
	s := make([]float64, len(keys))
	m := math.Inf(-1)
	for r, k := range keys {
		for c := range q {
			s[r] += q[c] * k[c]
		}
		s[r] /= math.Sqrt(float64(len(q)))
		m = math.Max(m, s[r])
	}
	o := make([]float64, len(vals[0]))
	var l float64
	for r := range s {
		e := math.Exp(s[r] - m)
		l += e
		for c := range o {
			o[c] += e * vals[r][c]
		}
	}
	for c := range o {
		o[c] /= l
	}
	return o
}

// naiveQuant is the b-bit min/max quantiser applied to xs.
func naiveQuant(xs []float64, b int) []float64 {
	lo, hi := slices.Min(xs), slices.Max(xs)
	s := (hi - lo) / (math.Pow(2, float64(b)) - 1)
	out := make([]float64, len(xs))
	for i, x := range xs {
		if s == 0 {
			out[i] = lo
			continue
		}
		c := math.RoundToEven((x - lo) / s)
		c = math.Max(0, math.Min(c, math.Pow(2, float64(b))-1))
		out[i] = c*s + lo
	}
	return out
}

// naiveKIVI rebuilds head h's keys and values 0..t as KIVI holds them at
// the step of query t.
func naiveKIVI(k, v *reference.Tensor, h, t, bits, g, r int) (keys, vals [][]float64) {
	d := k.D
	nq := g * (max(0, t+1-r) / g)
	for j := 0; j <= t; j++ {
		keys = append(keys, slices.Clone(k.Row(h, j)))
		vals = append(vals, slices.Clone(v.Row(h, j)))
	}
	for g0 := 0; g0 < nq; g0 += g {
		for c := range d {
			col := make([]float64, g)
			for i := range g {
				col[i] = k.Row(h, g0+i)[c]
			}
			for i, x := range naiveQuant(col, bits) {
				keys[g0+i][c] = x
			}
		}
	}
	for j := 0; j < nq; j++ {
		for c0 := 0; c0 < d; c0 += g {
			c1 := min(d, c0+g)
			copy(vals[j][c0:c1], naiveQuant(v.Row(h, j)[c0:c1], bits))
		}
	}
	return keys, vals
}

// relDiff is ||a-b|| / ||b||.
func relDiff(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	return math.Sqrt(num / den)
}

func TestKIVIMatchesNaive(t *testing.T) {
	cases := []struct{ bits, group, residual, d int }{
		{2, 32, 128, 16}, {4, 32, 128, 16}, {2, 8, 16, 16}, {4, 8, 0, 16}, {2, 6, 12, 16}, // G=6: a shorter last value group
	}
	const h, n, p = 2, 200, 60
	for _, tc := range cases {
		q, k, v := synth(t, h, n, tc.d, 11)
		cfg := splitConfig(h, tc.d, 30, 50)
		cfg.Policy.KIVIBits, cfg.Policy.KIVIGroup, cfg.Policy.KIVIResidual = tc.bits, tc.group, tc.residual
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"kivi", 1}})
		worst := 0.0
		for step, outs := range c.outs[0] {
			tt := p + step
			for hh := range h {
				keys, vals := naiveKIVI(k, v, hh, tt, tc.bits, tc.group, tc.residual)
				want := naiveOut(q.Row(hh, tt), keys, vals)
				worst = math.Max(worst, relDiff(outs[hh], want))
				if len(c.atts[0][step][hh]) != tt+1 {
					t.Fatalf("%+v t=%d: attended %d keys, want all %d", tc, tt, len(c.atts[0][step][hh]), tt+1)
				}
			}
		}
		if worst > 1e-12 {
			t.Errorf("%+v: worst relative difference from the naive KIVI %g", tc, worst)
		}
		if tc.residual < n-p && c.results[0].RelL2Mean() == 0 {
			t.Errorf("%+v: no quantisation error at all", tc)
		}
	}
}

// naiveMoBA returns the tokens head h's query t attends to.
func naiveMoBA(q, k *reference.Tensor, h, t, bs, budget int) []int {
	cur := t / bs
	score := make([]float64, cur)
	for b := range cur {
		mean := make([]float64, k.D)
		for j := b * bs; j < (b+1)*bs; j++ {
			for c := range mean {
				mean[c] += k.Row(h, j)[c] / float64(bs)
			}
		}
		for c := range mean {
			score[b] += q.Row(h, t)[c] * mean[c]
		}
	}
	chosen := map[int]bool{cur: true}
	for range min(cur, budget/bs-1) { // repeated argmax; ties: the older block
		best := -1
		for b := range cur {
			if !chosen[b] && (best < 0 || score[b] > score[best]) {
				best = b
			}
		}
		chosen[best] = true
	}
	var out []int
	for j := 0; j <= t; j++ {
		if chosen[j/bs] {
			out = append(out, j)
		}
	}
	return out
}

func TestMoBAMatchesNaive(t *testing.T) {
	const h, n, d, p = 2, 180, 16, 50
	q, k, v := synth(t, h, n, d, 12)
	for _, tc := range []struct{ block, budget int }{{8, 8}, {8, 40}, {16, 64}, {10, 35}, {64, 128}} {
		cfg := splitConfig(h, d, 30, 50)
		cfg.Policy.MoBABlock = tc.block
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"moba", tc.budget}})
		for step, atts := range c.atts[0] {
			tt := p + step
			for hh := range h {
				want := naiveMoBA(q, k, hh, tt, tc.block, tc.budget)
				if !slices.Equal(atts[hh], want) {
					t.Fatalf("%+v t=%d head %d: attended %v, naive %v", tc, tt, hh, atts[hh], want)
				}
				var keys, vals [][]float64
				for _, j := range want {
					keys, vals = append(keys, k.Row(hh, j)), append(vals, v.Row(hh, j))
				}
				if e := relDiff(c.outs[0][step][hh], naiveOut(q.Row(hh, tt), keys, vals)); e > 1e-12 {
					t.Fatalf("%+v t=%d head %d: output differs from naive by %g", tc, tt, hh, e)
				}
			}
		}
	}
}

// naiveDuoRetrieval returns the retrieval heads of DuoAttention's
// calibration, computed from scratch.
func naiveDuoRetrieval(q, k, v *reference.Tensor, p, sinks, budget, calib int, frac float64) []bool {
	err := make([]float64, q.H)
	for h := range q.H {
		for i := max(0, p-calib); i < p; i++ {
			var fk, fv, sk, sv [][]float64
			for j := 0; j <= i; j++ {
				fk, fv = append(fk, k.Row(h, j)), append(fv, v.Row(h, j))
				if j < sinks || j > i-(budget-sinks) {
					sk, sv = append(sk, k.Row(h, j)), append(sv, v.Row(h, j))
				}
			}
			err[h] += relDiff(naiveOut(q.Row(h, i), sk, sv), naiveOut(q.Row(h, i), fk, fv))
		}
	}
	ret := make([]bool, q.H)
	for range int(math.Round(frac * float64(q.H))) {
		best := -1
		for h := range q.H {
			if !ret[h] && (best < 0 || err[h] > err[best]) {
				best = h
			}
		}
		ret[best] = true
	}
	return ret
}

func TestDuoMatchesNaive(t *testing.T) {
	const h, n, d, p = 6, 160, 16, 64
	q, k, v := synth(t, h, n, d, 13)
	for _, tc := range []struct {
		frac   float64
		budget int
	}{{0.5, 24}, {0, 24}, {1, 24}, {0.34, 40}} {
		cfg := splitConfig(h, d, 30, 50)
		cfg.Policy.DuoRetrievalFrac = tc.frac
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"duo", tc.budget}})
		ret := naiveDuoRetrieval(q, k, v, p, cfg.Policy.Sinks, tc.budget, cfg.Policy.DuoCalibQueries, tc.frac)
		for step, atts := range c.atts[0] {
			tt := p + step
			for hh := range h {
				var want []int
				for j := 0; j <= tt; j++ {
					if ret[hh] || j < cfg.Policy.Sinks || j > tt-(tc.budget-cfg.Policy.Sinks) {
						want = append(want, j)
					}
				}
				if !slices.Equal(atts[hh], want) {
					t.Fatalf("%+v t=%d head %d (retrieval %v): attended %v, naive %v", tc, tt, hh, ret[hh], atts[hh], want)
				}
			}
		}
		if len(c.results[0].Notes) != 1 {
			t.Fatalf("duo reports no head choice: %v", c.results[0].Notes)
		}
	}
}
