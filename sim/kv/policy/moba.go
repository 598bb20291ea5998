package policy

import "fmt"

// moba is MoBA: at step t, tokens 0..t are cut into aligned blocks of Bs;
// the block holding t is attended causally, and every complete block
// before it is scored per head by q_t . mean(K of the block); the top k-1
// of them (ties: the older block) are attended too, k = B/Bs. Nothing is
// evicted; the block means are the metadata, one row per block.
type moba struct {
	base
	pages
	k     int
	means [][][]float64 // [H][block][D]
}

func newMoBA(b base) (*moba, error) {
	p := b.p
	if p.MoBABlock < 1 {
		return nil, fmt.Errorf("moba: --block (kv.policy.moba_block) = %d: must be >= 1", p.MoBABlock)
	}
	if p.Budget < p.MoBABlock {
		return nil, fmt.Errorf("moba: budget = %d with --block = %d: need budget >= block (the budget buys k = budget/block >= 1 blocks)", p.Budget, p.MoBABlock)
	}
	m := &moba{base: b, k: p.Budget / p.MoBABlock, means: make([][][]float64, b.heads)}
	m.pages = pages{size: p.MoBABlock, summarize: m.average}
	for h := range m.means {
		m.means[h] = make([][]float64, b.data.K.N/m.size)
	}
	return m, nil
}

// Start caches the prompt and averages its complete blocks.
func (m *moba) Start(pf *Prefill) {
	m.startAll(pf.P)
	m.start(pf.P)
}

// Evict never evicts.
func (m *moba) Evict(int, *Obs, *Cost) [][]int { return nil }

// Append adds token t and averages the block it completes.
func (m *moba) Append(t int, c *Cost) {
	m.base.Append(t, c)
	m.appended(t, c)
}

// average computes block i's mean key per head.
func (m *moba) average(i int) {
	d := m.data.K.D
	for h := range m.heads {
		mean := make([]float64, d)
		for j := i * m.size; j < (i+1)*m.size; j++ {
			for c, x := range m.data.K.Row(h, j) {
				mean[c] += x
			}
		}
		for c := range mean {
			mean[c] /= float64(m.size)
		}
		m.means[h][i] = mean
	}
}

// Attended is the current block and the top k-1 complete blocks.
func (m *moba) Attended(t, h int, c *Cost) []int {
	cur := t / m.size
	score := make([]float64, cur)
	lo, hi := m.queries(h)
	for qh := lo; qh < hi; qh++ { // the gate summed over the group's query heads
		q := m.data.Q.Row(qh, t)
		for i := range cur {
			score[i] += dot(q, m.means[h][i])
		}
	}
	m.charge(c, h, cur, m.data.K.D*m.group)
	return m.top(score, m.k, t, false)
}
