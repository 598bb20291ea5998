package policy

import "sort"

// base holds a per-kv-head cache of ascending token lists.
type base struct {
	name   string
	data   Data
	p      Params
	heads  int // kv heads: caches, evictions and selections are per kv head
	group  int // query heads per kv head (1 without GQA)
	qHeads int
	cache  [][]int
}

func newBase(name string, data Data, p Params) base {
	kv := data.K.H
	return base{name: name, data: data, p: p, heads: kv, group: data.Q.H / kv, qHeads: data.Q.H, cache: make([][]int, kv)}
}

// queries returns the query heads [lo, hi) of kv head h's group.
func (b *base) queries(h int) (lo, hi int) { return h * b.group, (h + 1) * b.group }

// Name is the policy name.
func (b *base) Name() string { return b.name }

// Cache is head h's cached tokens, ascending.
func (b *base) Cache(h int) []int { return b.cache[h] }

// Observe ignores the attention (policies that do not learn from it).
func (b *base) Observe(*Obs) {}

// startAll caches the whole prompt for every head.
func (b *base) startAll(p int) {
	for h := range b.cache {
		b.cache[h] = make([]int, p, b.data.Q.N)
		for j := range p {
			b.cache[h][j] = j
		}
	}
}

// Append adds token t to every head.
func (b *base) Append(t int, _ *Cost) {
	for h := range b.cache {
		b.cache[h] = append(b.cache[h], t)
	}
}

// Attended is the whole cache.
func (b *base) Attended(_, h int, _ *Cost) []int { return b.cache[h] }

// keep is the cache size allowed before a token is appended.
func (b *base) keep() int { return b.p.Budget - 1 }

// dropLowest removes from head h's cache the n candidates with the lowest
// scores s (aligned with cand; among ties the oldest goes first, as in
// every policy here) and returns them, ascending.
func (b *base) dropLowest(h int, cand []int, s []float64, n int) []int {
	if n <= 0 {
		return nil
	}
	if n == 1 { // the decode case: one argmin, the oldest among ties
		best := 0
		for i, x := range s {
			if x < s[best] {
				best = i
			}
		}
		drop := []int{cand[best]}
		b.remove(h, drop)
		return drop
	}
	idx := make([]int, len(cand))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, c int) bool { return s[idx[a]] < s[idx[c]] })
	drop := make([]int, 0, n)
	for _, i := range idx[:n] {
		drop = append(drop, cand[i])
	}
	sort.Ints(drop)
	b.remove(h, drop)
	return drop
}

// remove deletes the ascending tokens drop from head h's cache.
func (b *base) remove(h int, drop []int) {
	c := b.cache[h]
	out, k := c[:0], 0
	for _, j := range c {
		if k < len(drop) && drop[k] == j {
			k++
			continue
		}
		out = append(out, j)
	}
	b.cache[h] = out
}

// aligned writes into out[i] the probability of cand[i] under the
// attended tokens att with probabilities p (0 when not attended); both
// lists are ascending.
func aligned(att []int, p []float64, cand []int, out []float64) []float64 {
	out = out[:0]
	k := 0
	for _, j := range cand {
		for k < len(att) && att[k] < j {
			k++
		}
		a := 0.0
		if k < len(att) && att[k] == j {
			a = p[k]
		}
		out = append(out, a)
	}
	return out
}

// full keeps every token.
type full struct{ base }

// Start caches the whole prompt.
func (f *full) Start(pf *Prefill) { f.startAll(pf.P) }

// Evict never evicts.
func (f *full) Evict(int, *Obs, *Cost) [][]int { return nil }

// slideWindow drops, from every head that streams, the oldest tokens after
// the S sinks (tokens 0..S-1, the head of the list) beyond the budget and
// returns them per head (nil when nothing is dropped).
func (b *base) slideWindow(streams func(h int) bool) [][]int {
	var ev [][]int
	for h, c := range b.cache {
		n := len(c) - b.keep()
		if n <= 0 || !streams(h) {
			continue
		}
		first := min(b.p.Sinks, len(c))
		drop := append([]int(nil), c[first:first+n]...)
		b.remove(h, drop)
		if ev == nil {
			ev = make([][]int, b.heads)
		}
		ev[h] = drop
	}
	return ev
}
