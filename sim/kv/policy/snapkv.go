package policy

import "sort"

// snapKV is SnapKV: at prefill end, per head, the attention of the last w
// prompt queries summed over them for every earlier token, average-pooled
// (kernel k, zero padding k/2, divided by k), selects the top B-w tokens;
// the w window tokens are kept too. During decode the selected tokens stay
// and the others form a sliding window: the oldest non-selected token is
// evicted to stay within the budget.
type snapKV struct {
	base
	selected [][]bool // [H][N]
}

// Start selects the prompt tokens by the observation window.
func (s *snapKV) Start(pf *Prefill) {
	n := s.data.Q.N
	w := min(s.p.SnapWindow, pf.P)
	prefix := pf.P - w
	nsel := max(0, s.p.Budget-w)
	s.selected = make([][]bool, s.heads)
	for h := range s.heads {
		s.selected[h] = make([]bool, n)
		keep := s.top(pool(s.groupWindow(pf, h, prefix), s.p.SnapKernel), nsel)
		c := make([]int, 0, n)
		for _, j := range keep {
			s.selected[h][j] = true
			c = append(c, j)
		}
		for j := prefix; j < pf.P; j++ {
			c = append(c, j)
		}
		s.cache[h] = c
	}
	s.Evict(pf.P, nil, nil)
}

// groupWindow sums the window scores of kv head h's query heads over
// the first prefix tokens.
func (s *snapKV) groupWindow(pf *Prefill, h, prefix int) []float64 {
	lo, hi := s.queries(h)
	sum := make([]float64, prefix)
	for qh := lo; qh < hi; qh++ {
		for j, x := range pf.Window[qh][:prefix] {
			sum[j] += x
		}
	}
	return sum
}

// top returns the indices of the n largest scores (ties: the newest),
// ascending.
func (s *snapKV) top(score []float64, n int) []int {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = len(idx) - 1 - i
	}
	if n < len(idx) {
		sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
		idx = idx[:n]
	}
	sort.Ints(idx)
	return idx
}

// pool is avg_pool1d(kernel k, stride 1, padding k/2, count_include_pad).
func pool(c []float64, k int) []float64 {
	out := make([]float64, len(c))
	r := k / 2
	for i := range c {
		var s float64
		for j := max(0, i-r); j <= min(len(c)-1, i+r); j++ {
			s += c[j]
		}
		out[i] = s / float64(k)
	}
	return out
}

// Evict drops the oldest non-selected tokens.
func (s *snapKV) Evict(t int, _ *Obs, _ *Cost) [][]int {
	var ev [][]int
	for h, c := range s.cache {
		n := len(c) - s.keep()
		if n <= 0 {
			continue
		}
		drop := make([]int, 0, n)
		for _, j := range c {
			if len(drop) == n {
				break
			}
			if !s.selected[h][j] {
				drop = append(drop, j)
			}
		}
		s.remove(h, drop)
		if ev == nil {
			ev = make([][]int, s.heads)
		}
		ev[h] = drop
	}
	return ev
}
