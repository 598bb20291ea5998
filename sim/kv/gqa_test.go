package kv

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// gqaData returns a GQA trace (h query heads, kv kv heads) and its
// multi-head twin whose K and V repeat each kv head for its query heads.
func gqaData(t *testing.T, h, kv, n, d int) (q, k, v, kRep, vRep *reference.Tensor) {
	t.Helper()
	p := traces.SynthParamsFor(9, h, n, d)
	p.KVHeads = kv
	q, k, v, err := traces.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	kRep, vRep = reference.NewTensor(h, n, d), reference.NewTensor(h, n, d)
	for qh := range h {
		for j := range n {
			copy(kRep.Row(qh, j), k.Row(qh/(h/kv), j))
			copy(vRep.Row(qh, j), v.Row(qh/(h/kv), j))
		}
	}
	return q, k, v, kRep, vRep
}

// TestGQAMatchesRepeatedKV: policies that select nothing per head give,
// under GQA, the multi-head result on repeated K/V, while moving the
// bytes of the kv heads only (1/group of the repeated run's).
func TestGQAMatchesRepeatedKV(t *testing.T) {
	const h, kv, n, d, p = 4, 2, 120, 16, 60
	q, k, v, kRep, vRep := gqaData(t, h, kv, n, d)
	cfg := DefaultConfig()
	cfg.OnChip.CapacityTokens = n // everything on chip: bytes scale with the heads
	cfg.Policy.KIVIGroup, cfg.Policy.KIVIResidual, cfg.Policy.PQResidual = 8, 16, 16
	specs := []Spec{{"full", n}, {"streaming", 24}, {"kivi", 1}, {"pq", 1}}
	run := func(k, v *reference.Tensor) captured {
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		return capture(t, s, specs)
	}
	gqa, rep := run(k, v), run(kRep, vRep)
	for i, sp := range specs {
		for step := range gqa.outs[i] {
			for qh := range h {
				if e := relDiff(gqa.outs[i][step][qh], rep.outs[i][step][qh]); e > 1e-13 || math.IsNaN(e) {
					t.Fatalf("%s t=%d query head %d: GQA differs from repeated K/V by %g", sp.Policy, p+step, qh, e)
				}
			}
		}
		g, r := gqa.results[i].BytesPerStep(0), rep.results[i].BytesPerStep(0)
		if g*float64(h/kv) != r || g == 0 {
			t.Errorf("%s: %g bytes/step under GQA, %g with repeated K/V; want 1/%d", sp.Policy, g, r, h/kv)
		}
	}
}

// naiveQuestGQA returns kv head hk's attended tokens under Quest with page
// scores summed over the group's query heads.
func naiveQuestGQA(q, k *reference.Tensor, hk, group, t, page, budget int) []int {
	if t+1 <= budget {
		return upTo(t + 1)
	}
	cur := t / page
	score := make([]float64, cur)
	for pg := range cur {
		for qh := hk * group; qh < (hk+1)*group; qh++ {
			for c := range k.D {
				lo, hi := math.Inf(1), math.Inf(-1)
				for j := pg * page; j < (pg+1)*page; j++ {
					lo, hi = math.Min(lo, k.Row(hk, j)[c]), math.Max(hi, k.Row(hk, j)[c])
				}
				x := q.Row(qh, t)[c]
				score[pg] += math.Max(x*lo, x*hi)
			}
		}
	}
	chosen := map[int]bool{cur: true}
	for range min(cur, budget/page-1) { // repeated argmax; ties: the newest page
		best := -1
		for pg := cur - 1; pg >= 0; pg-- {
			if !chosen[pg] && (best < 0 || score[pg] > score[best]) {
				best = pg
			}
		}
		chosen[best] = true
	}
	var out []int
	for j := 0; j <= t; j++ {
		if chosen[j/page] {
			out = append(out, j)
		}
	}
	return out
}

// TestGQASelectionIsPerGroup: Quest and MoBA select once per kv head by
// scores summed over its query heads, which all attend to that set.
func TestGQASelectionIsPerGroup(t *testing.T) {
	const h, kv, n, d, p = 6, 2, 160, 16, 64
	q, k, v, _, _ := gqaData(t, h, kv, n, d)
	cfg := splitConfig(kv, d, 20, 40)
	cfg.Policy.MoBABlock = 16
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	c := capture(t, s, []Spec{{"quest", 48}, {"moba", 48}})
	for step := range c.atts[0] {
		tt := p + step
		for qh := range h {
			hk := qh / (h / kv)
			if want := naiveQuestGQA(q, k, hk, h/kv, tt, 16, 48); !slices.Equal(c.atts[0][step][qh], want) {
				t.Fatalf("quest t=%d query head %d: attended %v, naive %v", tt, qh, c.atts[0][step][qh], want)
			}
			if !slices.Equal(c.atts[1][step][qh], c.atts[1][step][hk*(h/kv)]) {
				t.Fatalf("moba t=%d: query heads of one group attend to different sets", tt)
			}
		}
	}
}

func TestGQABadShapes(t *testing.T) {
	q, k, _, _, _ := gqaData(t, 4, 2, 32, 8)
	_, k3, v3, _, _ := gqaData(t, 3, 3, 32, 8)
	for _, tc := range []struct {
		k, v *reference.Tensor
		want string
	}{{k3, v3, "must divide the query heads"}, {k, v3, "shape mismatch"}} {
		_, err := MakeBuilder().Build(q, tc.k, tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}
