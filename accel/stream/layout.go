package stream

import "github.com/sarchlab/akita/v3/sim"

// Layout says where a [heads, seq_len, head_dim] tensor of codes lives in
// memory and how a DMA engine (a loader or the writer) moves it.
type Layout struct {
	Base       uint64                     // address of head 0, row 0
	SeqLen     int                        // rows per head
	RowBytes   int                        // bytes of one row
	ElemBytes  int                        // bytes of one code
	BurstBytes int                        // request size; requests carry whole rows
	Route      func(addr uint64) sim.Port // the memory port serving an address
}

// Addr is the address of row `row` of head h.
func (l Layout) Addr(h, row int) uint64 {
	return l.Base + uint64((h*l.SeqLen+row)*l.RowBytes)
}

// RowsPerBurst is how many whole rows one request carries (at least one).
func (l Layout) RowsPerBurst() int { return max(1, l.BurstBytes/l.RowBytes) }

// Dim is the number of codes in a row.
func (l Layout) Dim() int { return l.RowBytes / l.ElemBytes }
