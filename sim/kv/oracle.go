package kv

import (
	"container/heap"
	"math"
	"sync"

	"github.com/swatsim/swatsim/reference"
)

// oracle is the per-step full-attention reference shared by every policy:
// the logits of the step's query over all t+1 keys, their dense
// probabilities and the top-k keys by logit. The full output comes from
// the reference instance (policy full), which computes it by the same
// split-and-merge code as every other policy.
type oracle struct {
	q, k  *reference.Tensor
	scale float64
	kTop  int
	t     int
	s     [][]float64 // [H][N]: logits, first t+1 valid
	pFull [][]float64 // [H][N]: dense probabilities
	top   [][]int     // [H]: the top-k keys
	oFull [][]float64 // [H][D]: the reference output (set by the reference instance)
}

func newOracle(q, k *reference.Tensor, scale float64, kTop int) *oracle {
	o := &oracle{q: q, k: k, scale: scale, kTop: kTop}
	o.s = make([][]float64, q.H)
	o.pFull = make([][]float64, q.H)
	o.top = make([][]int, q.H)
	for h := range q.H {
		o.s[h] = make([]float64, q.N)
		o.pFull[h] = make([]float64, q.N)
	}
	return o
}

// compute fills the step's logits, probabilities and top-k, heads in
// parallel.
func (o *oracle) compute(t int) {
	o.t = t
	var wg sync.WaitGroup
	for h := range o.q.H {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.head(h, t)
		}()
	}
	wg.Wait()
}

func (o *oracle) head(h, t int) {
	s, p := o.s[h][:t+1], o.pFull[h][:t+1]
	logitsInto(o.q.Row(h, t), o.k, h/(o.q.H/o.k.H), t+1, o.scale, s)
	m := math.Inf(-1)
	for _, x := range s {
		m = math.Max(m, x)
	}
	var l float64
	for j, x := range s {
		p[j] = math.Exp(x - m)
		l += p[j]
	}
	for j := range p {
		p[j] /= l
	}
	o.top[h] = topK(s, min(o.kTop, t+1), o.top[h])
}

// topK returns the indices of the k largest values of s (ties: the lower
// index), using a min-heap of size k.
func topK(s []float64, k int, buf []int) []int {
	hp := &minHeap{s: s, idx: buf[:0]}
	for j := range s {
		if hp.Len() < k {
			heap.Push(hp, j)
		} else if hp.less(hp.idx[0], j) {
			hp.idx[0] = j
			heap.Fix(hp, 0)
		}
	}
	return hp.idx
}

// minHeap orders key indices by logit, the smallest (and, among equal
// logits, the highest index) on top.
type minHeap struct {
	s   []float64
	idx []int
}

func (h *minHeap) less(a, b int) bool {
	if h.s[a] != h.s[b] {
		return h.s[a] < h.s[b]
	}
	return a > b
}

// Len is the heap size (container/heap).
func (h *minHeap) Len() int { return len(h.idx) }

// Less orders the heap (container/heap).
func (h *minHeap) Less(i, j int) bool { return h.less(h.idx[i], h.idx[j]) }

// Swap swaps two entries (container/heap).
func (h *minHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }

// Push adds an index (container/heap).
func (h *minHeap) Push(x any) { h.idx = append(h.idx, x.(int)) }

// Pop removes the top index (container/heap).
func (h *minHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}
