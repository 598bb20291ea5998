package policy

import "sort"

// pages summarises the cache page by page as pages complete and selects
// whole pages (Quest's key bounds per page, MoBA's mean key per block).
type pages struct {
	size      int         // tokens per page
	done      int         // complete pages summarised
	summarize func(p int) // computes page p's summary from its rows
}

// start summarises the complete pages of a prompt of p tokens.
func (s *pages) start(p int) {
	for ; s.done < p/s.size; s.done++ {
		s.summarize(s.done)
	}
}

// appended summarises the page token t completes, recording its metadata
// write.
func (s *pages) appended(t int, c *Cost) {
	if (t+1)%s.size != 0 {
		return
	}
	s.summarize(t / s.size)
	s.done = t/s.size + 1
	if c != nil {
		c.MetaWrite = t / s.size
	}
}

// charge records the reads of the summaries of the cur complete pages and
// the scoring work (macsPerPage per page).
func (s *pages) charge(c *Cost, h, cur, macsPerPage int) {
	if c != nil {
		c.MetaPages[h] = cur
		c.SelectMACs += int64(cur * macsPerPage)
		c.Candidates += int64(cur)
	}
}

// top returns the tokens up to t of the current page (holding t) and of
// the k-1 complete pages with the highest scores (ties: the newest page
// first when newestFirst, else the oldest), ascending.
func (s *pages) top(score []float64, k, t int, newestFirst bool) []int {
	cur := t / s.size
	idx := make([]int, cur)
	for i := range idx {
		idx[i] = i
		if newestFirst {
			idx[i] = cur - 1 - i
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	sel := append(idx[:min(cur, max(k-1, 0))], cur)
	sort.Ints(sel)
	out := make([]int, 0, len(sel)*s.size)
	for _, p := range sel {
		for j := p * s.size; j < min((p+1)*s.size, t+1); j++ {
			out = append(out, j)
		}
	}
	return out
}
