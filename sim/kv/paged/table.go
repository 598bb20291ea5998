package paged

import (
	"container/heap"
	"fmt"
)

// Kind selects the K store or the V store of a head.
type Kind int

const (
	// K is the key store.
	K Kind = iota
	// V is the value store.
	V
)

// Table is the block table of one tier: it maps (head, kind, logical
// block) to physical blocks, allocating the lowest free physical block
// when a logical block receives its first row and freeing it when its
// last row leaves.
type Table struct {
	g       Geometry
	logical [][2][]int32 // [head][kind][logical block] = physical block + 1 (0: none)
	live    []int32      // rows resident per physical block
	free    intHeap
	peak    int
	used    int
}

// NewTable returns an empty block table for heads heads of at most
// maxTokens tokens.
func NewTable(g Geometry, heads, maxTokens int) *Table {
	t := &Table{g: g, logical: make([][2][]int32, heads)}
	nb := (maxTokens + g.BlockTokens - 1) / g.BlockTokens
	for h := range t.logical {
		t.logical[h][K] = make([]int32, nb)
		t.logical[h][V] = make([]int32, nb)
	}
	return t
}

// Geometry returns the table's geometry.
func (t *Table) Geometry() Geometry { return t.g }

// Insert places the row of token in the table, allocating its block if
// needed.
func (t *Table) Insert(h int, kind Kind, token int) {
	lb := token / t.g.BlockTokens
	p := t.logical[h][kind][lb]
	if p == 0 {
		p = int32(t.alloc()) + 1
		t.logical[h][kind][lb] = p
	}
	t.live[p-1]++
}

// Remove takes the row of token out of the table, freeing its block when
// it was the block's last row.
func (t *Table) Remove(h int, kind Kind, token int) {
	lb := token / t.g.BlockTokens
	p := t.logical[h][kind][lb]
	if p == 0 {
		panic(fmt.Sprintf("paged: remove of token %d (head %d, kind %d) that is not resident", token, h, kind))
	}
	t.live[p-1]--
	if t.live[p-1] == 0 {
		t.logical[h][kind][lb] = 0
		heap.Push(&t.free, int(p-1))
		t.used--
	}
}

// Addr is the byte address of token's row (the token's block must be
// resident).
func (t *Table) Addr(h int, kind Kind, token int) int64 {
	p := t.logical[h][kind][token/t.g.BlockTokens]
	if p == 0 {
		panic(fmt.Sprintf("paged: address of token %d (head %d, kind %d) that is not resident", token, h, kind))
	}
	return int64(p-1)*t.g.BlockBytes() + int64(token%t.g.BlockTokens)*int64(t.g.RowBytes)
}

// Blocks is the number of physical blocks in use.
func (t *Table) Blocks() int { return t.used }

// PeakBlocks is the largest number of physical blocks ever in use.
func (t *Table) PeakBlocks() int { return t.peak }

func (t *Table) alloc() int {
	t.used++
	t.peak = max(t.peak, t.used)
	if t.free.Len() > 0 {
		return heap.Pop(&t.free).(int)
	}
	t.live = append(t.live, 0)
	return len(t.live) - 1
}

type intHeap []int

// Len is the heap size (container/heap).
func (h intHeap) Len() int { return len(h) }

// Less orders the heap (container/heap).
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }

// Swap swaps two entries (container/heap).
func (h intHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push adds a free block (container/heap).
func (h *intHeap) Push(x any) { *h = append(*h, x.(int)) }

// Pop takes the lowest free block (container/heap).
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
