package policy

// tova is Token Omission Via Attention: when the cache is full, drop the
// token with the lowest head-mean attention of the last query; one
// decision per layer, so every head holds the same tokens. With caote,
// the score is the head-mean of CAOTE's per-head error with a = the last
// query's attention and o its output.
type tova struct {
	base
	caote bool
}

// Start shrinks the prompt by the last prompt query's attention.
func (p *tova) Start(pf *Prefill) {
	p.startAll(pf.P)
	att := p.cache[0]
	obs := &Obs{T: pf.P - 1, Att: make([][]int, p.qHeads), P: pf.Last, O: pf.LastO}
	for h := range obs.Att {
		obs.Att[h] = att
	}
	p.Evict(pf.P, obs, nil)
}

// Evict drops the lowest head-mean scores from every head.
func (p *tova) Evict(t int, last *Obs, c *Cost) [][]int {
	cache := p.cache[0]
	n := len(cache) - p.keep()
	if n <= 0 {
		return nil
	}
	cand := append([]int(nil), cache...)
	score := p.scores(cand, last, c)
	ev := make([][]int, p.heads)
	ev[0] = p.dropLowest(0, cand, score, n)
	for h := 1; h < p.heads; h++ {
		p.remove(h, ev[0])
		ev[h] = ev[0]
	}
	if c != nil {
		c.Candidates += int64(len(cand))
	}
	return ev
}

// scores returns the mean score over every query head of every
// candidate, aligned with cand.
func (p *tova) scores(cand []int, last *Obs, c *Cost) []float64 {
	s := make([]float64, len(cand))
	a := make([]float64, 0, len(cand))
	for qh := range p.qHeads {
		h := qh / p.group
		a = aligned(last.Att[qh], last.P[qh], cand, a)
		for i, j := range cand {
			x := a[i]
			if p.caote {
				x = CAOTEError(x, last.O[qh], p.data.V.Row(h, j))
			}
			s[i] += x / float64(p.qHeads)
		}
		if p.caote && c != nil {
			c.SelectMACs += int64(len(cand) * p.data.V.D)
			if qh%p.group == 0 { // the group's V rows are read once
				c.VRows[h] = append(c.VRows[h], cand...)
			}
		}
	}
	return s
}
