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
	// Boundary, if not 0, is a granule no request may cross (the memory
	// channels' interleave: a request goes to the channel of its first
	// byte). It must be a multiple of RowBytes, the base a multiple of it.
	Boundary int
}

// RowsFrom is how many of n consecutive rows of head h starting at row
// fit in one request: at most RowsPerBurst and n, and none past the next
// Boundary.
func (l Layout) RowsFrom(h, row, n int) int {
	n = min(n, l.RowsPerBurst())
	if l.Boundary > 0 {
		left := l.Boundary - int(l.Addr(h, row)%uint64(l.Boundary))
		n = min(n, max(1, left/l.RowBytes))
	}
	return max(1, n)
}

// Addr is the address of row `row` of head h.
func (l Layout) Addr(h, row int) uint64 {
	return l.Base + uint64((h*l.SeqLen+row)*l.RowBytes)
}

// RowsPerBurst is how many whole rows one request carries (at least one).
func (l Layout) RowsPerBurst() int { return max(1, l.BurstBytes/l.RowBytes) }

// Dim is the number of codes in a row.
func (l Layout) Dim() int { return l.RowBytes / l.ElemBytes }
