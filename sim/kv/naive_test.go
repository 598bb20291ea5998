package kv

import (
	"math"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// naiveProbs is the softmax of query row i of head h over keys (an
// independent implementation).
func naiveProbs(q, k *reference.Tensor, h, i int, keys []int) []float64 {
	p := make([]float64, len(keys))
	m := math.Inf(-1)
	for r, j := range keys {
		var s float64
		for c := range q.D {
			s += q.Row(h, i)[c] * k.Row(h, j)[c]
		}
		p[r] = s / math.Sqrt(float64(q.D))
		m = math.Max(m, p[r])
	}
	var l float64
	for r := range p {
		p[r] = math.Exp(p[r] - m)
		l += p[r]
	}
	for r := range p {
		p[r] /= l
	}
	return p
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// argminOldest returns the position of the smallest score among allowed
// positions, the first (oldest) among ties.
func argminOldest(score []float64, allowed func(r int) bool) int {
	best := -1
	for r, x := range score {
		if allowed(r) && (best < 0 || x < score[best]) {
			best = r
		}
	}
	return best
}

// naiveH2O replays H2O (recent = B/2) and returns the attended set of every
// step for head h.
func naiveH2O(q, k *reference.Tensor, h, p, n, b int) [][]int {
	recent := b / 2
	acc := make([]float64, n)
	for i := range p {
		for r, x := range naiveProbs(q, k, h, i, upTo(i+1)) {
			acc[r] += x
		}
	}
	cache := upTo(p)
	evict := func(t int) {
		for len(cache) > b-1 {
			sc := make([]float64, len(cache))
			for r, j := range cache {
				sc[r] = acc[j]
			}
			r := argminOldest(sc, func(r int) bool { return cache[r] < t-recent+1 })
			cache = slices.Delete(cache, r, r+1)
		}
	}
	evict(p)
	var out [][]int
	for t := p; t < n; t++ {
		evict(t)
		cache = append(cache, t)
		for r, x := range naiveProbs(q, k, h, t, cache) {
			acc[cache[r]] += x
		}
		out = append(out, slices.Clone(cache))
	}
	return out
}

// naiveTOVA replays TOVA (head-mean of the last query) for all heads.
func naiveTOVA(q, k *reference.Tensor, p, n, b int) [][]int {
	cache := upTo(p)
	lastQ := p - 1
	var out [][]int
	for t := p; t <= n; t++ {
		for len(cache) > b-1 {
			mean := make([]float64, len(cache))
			for h := range q.H {
				for r, x := range naiveProbs(q, k, h, lastQ, cache) {
					mean[r] += x / float64(q.H)
				}
			}
			r := argminOldest(mean, func(int) bool { return true })
			cache = slices.Delete(cache, r, r+1)
		}
		if t == n {
			break
		}
		cache = append(cache, t)
		lastQ = t
		out = append(out, slices.Clone(cache))
	}
	return out
}

// naiveSnapKV replays SnapKV (window w, pooling kernel 5) for head h.
func naiveSnapKV(q, k *reference.Tensor, h, p, n, b, w int) [][]int {
	c := make([]float64, p-w)
	for i := p - w; i < p; i++ {
		for r, x := range naiveProbs(q, k, h, i, upTo(i+1)) {
			if r < p-w {
				c[r] += x
			}
		}
	}
	pooled := make([]float64, len(c))
	for i := range c {
		for j := i - 2; j <= i+2; j++ {
			if j >= 0 && j < len(c) {
				pooled[i] += c[j] / 5
			}
		}
	}
	order := upTo(len(c))
	slices.Reverse(order) // ties: the newest first
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case pooled[a] > pooled[b]:
			return -1
		case pooled[a] < pooled[b]:
			return 1
		}
		return 0
	})
	selected := map[int]bool{}
	for _, j := range order[:b-w] {
		selected[j] = true
	}
	var cache []int
	for j := range p {
		if selected[j] || j >= p-w {
			cache = append(cache, j)
		}
	}
	var out [][]int
	for t := p; t < n; t++ {
		for len(cache) > b-1 {
			for r, j := range cache {
				if !selected[j] {
					cache = slices.Delete(cache, r, r+1)
					break
				}
			}
		}
		cache = append(cache, t)
		out = append(out, slices.Clone(cache))
	}
	return out
}

func TestPoliciesMatchNaiveReplays(t *testing.T) {
	const h, n, d, p, b = 2, 120, 16, 48, 20
	q, k, v := synth(t, h, n, d, 8)
	cfg := splitConfig(h, d, 6, 8) // three tiers: the parts must not matter
	cfg.Policy.SnapKVWindow = 8
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	c := capture(t, s, []Spec{{"h2o", b}, {"tova", b}, {"snapkv", b}})
	tova := naiveTOVA(q, k, p, n, b)
	for hh := range h {
		want := map[string][][]int{"h2o": naiveH2O(q, k, hh, p, n, b), "tova": tova, "snapkv": naiveSnapKV(q, k, hh, p, n, b, 8)}
		for i, name := range []string{"h2o", "tova", "snapkv"} {
			for step, w := range want[name] {
				if got := c.atts[i][step][hh]; !slices.Equal(got, w) {
					t.Fatalf("%s head %d t=%d: attended %v, naive replay %v", name, hh, p+step, got, w)
				}
			}
		}
	}
}
