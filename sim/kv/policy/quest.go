package policy

import "math"

// quest is Quest: every token stays; per page of QuestPage tokens the
// channel-wise minimum m and maximum M of the keys are kept, and each
// decode query scores the complete pages by U = sum_i max(q_i m_i, q_i M_i),
// attending to the top floor(B/page) - 1 of them plus the current
// (partial) page. While the whole context fits the budget (t+1 <= B) the
// query attends to everything and no metadata is read. Pages are the
// gather unit.
type quest struct {
	base
	pages
	min, max [][][]float64 // [H][page][D]
}

func newQuest(b base) *quest {
	q := &quest{base: b}
	q.pages = pages{size: b.p.QuestPage, summarize: q.summarize}
	np := b.data.Q.N / q.size
	q.min = make([][][]float64, b.heads)
	q.max = make([][][]float64, b.heads)
	for h := range b.heads {
		q.min[h] = make([][]float64, np)
		q.max[h] = make([][]float64, np)
	}
	return q
}

// Start caches the prompt and summarizes its complete pages.
func (q *quest) Start(pf *Prefill) {
	q.startAll(pf.P)
	q.start(pf.P)
}

// Evict never evicts: Quest selects instead.
func (q *quest) Evict(int, *Obs, *Cost) [][]int { return nil }

// Append adds token t and summarizes the page it completes.
func (q *quest) Append(t int, c *Cost) {
	q.base.Append(t, c)
	q.appended(t, c)
}

// summarize computes page p's channel-wise key minimum and maximum.
func (q *quest) summarize(p int) {
	k := q.data.K
	for h := range q.heads {
		lo, hi := make([]float64, k.D), make([]float64, k.D)
		for d := range lo {
			lo[d], hi[d] = math.Inf(1), math.Inf(-1)
		}
		for j := p * q.size; j < (p+1)*q.size; j++ {
			for d, x := range k.Row(h, j) {
				lo[d], hi[d] = math.Min(lo[d], x), math.Max(hi[d], x)
			}
		}
		q.min[h][p], q.max[h][p] = lo, hi
	}
}

// Attended selects the pages of head h for the query of step t.
func (q *quest) Attended(t, h int, c *Cost) []int {
	if t+1 <= q.p.Budget {
		return q.cache[h]
	}
	cur := t / q.size
	q.charge(c, h, cur, 2*q.data.K.D*q.group)
	return q.top(q.pageScores(h, t, cur), q.p.Budget/q.size, t, true)
}

// pageScores returns U for the complete pages 0..cur-1, summed over kv
// head h's query heads.
func (q *quest) pageScores(h, t, cur int) []float64 {
	u := make([]float64, cur)
	first, last := q.queries(h)
	for qh := first; qh < last; qh++ {
		qt := q.data.Q.Row(qh, t)
		for p := range cur {
			lo, hi := q.min[h][p], q.max[h][p]
			var s float64
			for d, x := range qt {
				s += math.Max(x*lo[d], x*hi[d])
			}
			u[p] += s
		}
	}
	return u
}
