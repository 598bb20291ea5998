package policy

import (
	"fmt"
	"sort"
)

// moba is MoBA: at step t, tokens 0..t are cut into aligned blocks of Bs;
// the block holding t is attended causally, and every complete block
// before it is scored per head by q_t . mean(K of the block); the top k-1
// of them (ties: the older block) are attended too, k = B/Bs. Nothing is
// evicted; the block means are the metadata, one row per block.
type moba struct {
	base
	block  int
	k      int
	means  [][][]float64 // [H][block][D]
	blocks int           // complete blocks with a mean
}

func newMoBA(b base) (*moba, error) {
	p := b.p
	if p.MoBABlock < 1 {
		return nil, fmt.Errorf("moba: --block (kv.policy.moba_block) = %d: must be >= 1", p.MoBABlock)
	}
	if p.Budget < p.MoBABlock {
		return nil, fmt.Errorf("moba: budget = %d with --block = %d: need budget >= block (the budget buys k = budget/block >= 1 blocks)", p.Budget, p.MoBABlock)
	}
	m := &moba{base: b, block: p.MoBABlock, k: p.Budget / p.MoBABlock, means: make([][][]float64, b.heads)}
	for h := range m.means {
		m.means[h] = make([][]float64, b.data.K.N/m.block)
	}
	return m, nil
}

// Start caches the prompt and averages its complete blocks.
func (m *moba) Start(pf *Prefill) {
	m.startAll(pf.P)
	for m.blocks < pf.P/m.block {
		m.average(m.blocks)
	}
}

// Evict never evicts.
func (m *moba) Evict(int, *Obs, *Cost) [][]int { return nil }

// Append adds token t and averages the block it completes.
func (m *moba) Append(t int, c *Cost) {
	m.base.Append(t, c)
	if (t+1)%m.block == 0 {
		m.average(t / m.block)
		if c != nil {
			c.MetaWrite = t / m.block
		}
	}
}

// average computes block i's mean key per head.
func (m *moba) average(i int) {
	d := m.data.K.D
	for h := range m.heads {
		mean := make([]float64, d)
		for j := i * m.block; j < (i+1)*m.block; j++ {
			for c, x := range m.data.K.Row(h, j) {
				mean[c] += x
			}
		}
		for c := range mean {
			mean[c] /= float64(m.block)
		}
		m.means[h][i] = mean
	}
	m.blocks = i + 1
}

// Attended is the current block and the top k-1 complete blocks.
func (m *moba) Attended(t, h int, c *Cost) []int {
	cur := t / m.block
	score := make([]float64, cur)
	lo, hi := m.queries(h)
	for qh := lo; qh < hi; qh++ { // the gate summed over the group's query heads
		q := m.data.Q.Row(qh, t)
		for i := range cur {
			score[i] += dot(q, m.means[h][i])
		}
	}
	if c != nil {
		c.MetaPages[h] = cur
		c.SelectMACs += int64(cur * m.data.K.D * m.group)
		c.Candidates += int64(cur)
	}
	idx := make([]int, cur)
	for i := range idx {
		idx[i] = i // ties: the older block first
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	blocks := append(idx[:min(cur, m.k-1)], cur)
	sort.Ints(blocks)
	out := make([]int, 0, len(blocks)*m.block)
	for _, b := range blocks {
		for j := b * m.block; j < min((b+1)*m.block, t+1); j++ {
			out = append(out, j)
		}
	}
	return out
}
