package policy

// h2o is Heavy-Hitter Oracle: per head, every key's attention summed over
// all past queries (the prompt's, densely, then each decode query's over
// the cache); the last `recent` tokens of the attended set are kept and
// the rest of the budget goes to the highest sums. With caote, the
// eviction score is CAOTE's error with a_j = the normalised sums and o =
// the last query's output.
type h2o struct {
	base
	caote  bool
	recent int         // tokens of the budget kept as the recent window (>= 1, the query's own)
	acc    [][]float64 // [H][N] accumulated attention
	lastO  [][]float64 // output of the last prompt query, for the start
}

// Start seeds the sums with the prompt's attention and shrinks the prompt.
func (p *h2o) Start(pf *Prefill) {
	n := p.data.Q.N
	p.acc = make([][]float64, p.heads)
	for h := range p.acc {
		p.acc[h] = make([]float64, n)
		lo, hi := p.queries(h)
		for qh := lo; qh < hi && pf.ColSum != nil; qh++ {
			for j, a := range pf.ColSum[qh] {
				p.acc[h][j] += a
			}
		}
	}
	p.startAll(pf.P)
	p.evict(pf.P, pf.LastO, nil)
}

// Evict drops the lowest-scoring non-recent tokens.
func (p *h2o) Evict(t int, last *Obs, c *Cost) [][]int { return p.evict(t, last.O, c) }

// evict protects tokens j >= t-recent+1 and drops the lowest scores among
// the older ones.
func (p *h2o) evict(t int, o [][]float64, c *Cost) [][]int {
	var ev [][]int
	for h, cache := range p.cache {
		n := len(cache) - p.keep()
		if n <= 0 {
			continue
		}
		cand := candidates(cache, t-p.recent+1)
		score := make([]float64, len(cand))
		for i, j := range cand {
			score[i] = p.acc[h][j]
		}
		if p.caote {
			p.caoteScores(h, cache, cand, o, score)
			p.chargeCAOTE(c, h, cand)
		}
		if c != nil {
			c.Candidates += int64(len(cand))
		}
		if ev == nil {
			ev = make([][]int, p.heads)
		}
		ev[h] = p.dropLowest(h, cand, score, n)
	}
	return ev
}

// caoteScores sets score[i] = e_j = a_j/(1-a_j) ||o - v_j|| for j =
// cand[i], with a_j the accumulated score normalised over kv head h's
// cache, summed over the group's query outputs o[qh].
func (p *h2o) caoteScores(h int, cache, cand []int, o [][]float64, score []float64) {
	var sum float64
	for _, j := range cache {
		sum += p.acc[h][j]
	}
	lo, hi := p.queries(h)
	for i, j := range cand {
		a := 0.0
		if sum > 0 {
			a = p.acc[h][j] / sum
		}
		score[i] = 0
		for qh := lo; qh < hi; qh++ {
			score[i] += CAOTEError(a, o[qh], p.data.V.Row(h, j))
		}
	}
}

// chargeCAOTE records the second pass over the candidates' V rows.
func (p *h2o) chargeCAOTE(c *Cost, h int, cand []int) {
	if c == nil {
		return
	}
	c.SelectMACs += int64(len(cand) * p.data.V.D * p.group)
	c.VRows[h] = append(c.VRows[h], cand...)
}

// Observe adds the step's attention to the sums.
func (p *h2o) Observe(obs *Obs) {
	for qh, att := range obs.Att {
		acc := p.acc[qh/p.group]
		for i, j := range att {
			acc[j] += obs.P[qh][i]
		}
	}
}

// candidates returns the tokens of cache older than from.
func candidates(cache []int, from int) []int {
	for i, j := range cache {
		if j >= from {
			return cache[:i:i]
		}
	}
	return cache[:len(cache):len(cache)]
}
