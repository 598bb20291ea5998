package dataflow

import "github.com/swatsim/swatsim/reference"

// Source says where the core finds a swept key's K and V rows.
type Source int

const (
	// SrcPinned is the pinned buffer of global and sink keys.
	SrcPinned Source = iota
	// SrcRing is the K/V window ring buffer (keys streamed earlier).
	SrcRing
	// SrcStream is the K and V input streams: the key is taken from them
	// when the sweep reaches it (and, in SWAT, written into the ring).
	SrcStream
)

// String names the source.
func (s Source) String() string { return [...]string{"pinned", "ring", "stream"}[s] }

// Segment is a run of consecutive keys [Lo, Hi] swept from one source.
type Segment struct {
	Lo, Hi int
	Src    Source
}

// Len is the number of keys in the segment.
func (s Segment) Len() int { return s.Hi - s.Lo + 1 }

// Block is up to P consecutive query rows [R0, R1] of one head that the PE
// array processes together, and the keys it sweeps in ascending order.
type Block struct {
	Seq     int // index in its core's order (set by Order.Block)
	Head    int // query head
	KVHead  int // K/V head: Head / (heads / kv_heads)
	R0, R1  int
	Global  bool      // rows < global_tokens: they attend to every key
	Preload int       // pinned keys [0, Preload) streamed in before this block's rows
	Segs    []Segment // the sweep, ascending, disjoint
}

// Rows is the number of query rows in the block.
func (b *Block) Rows() int { return b.R1 - b.R0 + 1 }

// Keys is the number of keys the block sweeps.
func (b *Block) Keys() int {
	n := 0
	for _, s := range b.Segs {
		n += s.Len()
	}
	return n
}

// Streamed is the number of K/V beats the block takes from the streams,
// the preload included.
func (b *Block) Streamed() int {
	n := b.Preload
	for _, s := range b.Segs {
		if s.Src == SrcStream {
			n += s.Len()
		}
	}
	return n
}

// Schedule is the block sequence of a design point for one head (every
// head repeats it) and the order in which the cores run the heads' blocks
// (units.go).
type Schedule struct {
	Mask    reference.Mask
	P       int
	Dense   bool // the dense baseline: every swept key is streamed
	Flash   bool // the flash baseline: visited key tiles are streamed
	KeyTile int  // flash key-tile rows
	Heads   int  // query heads
	KVHeads int  // K/V heads (a divisor of Heads)
	Cores   int  // attention cores
	Overlap bool // the overlapped (staggered) schedule
	NGlobal int  // global blocks (rows < G), first
	NWin    int  // windowed blocks (rows >= G), after
	wstart  int  // first key of the SWAT window stream
}

// NewSchedule derives the schedule of a design point.
func NewSchedule(d *Design) *Schedule {
	s := newSchedule(d.Mask(), d.HW.PEs, d.Arch == ArchDense)
	s.Flash, s.KeyTile = d.Arch == ArchFlash, d.KeyTile()
	s.Heads, s.KVHeads, s.Cores = max(1, d.Model.Heads), max(1, d.KVHeads()), max(1, d.HW.Cores)
	s.Overlap = d.HW.Overlap
	return s
}

// newSchedule is the schedule of one head on one core.
func newSchedule(m reference.Mask, p int, dense bool) *Schedule {
	g := m.Global
	s := &Schedule{Mask: m, P: p, Dense: dense, KeyTile: p, Heads: 1, KVHeads: 1, Cores: 1}
	s.NGlobal = (g + p - 1) / p
	s.NWin = (m.N - g + p - 1) / p
	if g < m.N {
		lo, _ := m.WindowRange(g)
		s.wstart = max(lo, m.Pinned())
	}
	return s
}

// Blocks is the number of blocks per head.
func (s *Schedule) Blocks() int { return s.NGlobal + s.NWin }

// GroupSize is the number of query heads sharing one K/V head.
func (s *Schedule) GroupSize() int { return s.Heads / s.KVHeads }

// maxSegs is the most segments a block has (pinned, ring, stream).
const maxSegs = 3

// Block returns block b (0 <= b < Blocks()) of head h.
func (s *Schedule) Block(h, b int) Block {
	return s.block(h, b, make([]Segment, 0, maxSegs))
}

// block builds block b of head h with its segments in segs (empty, with
// room for maxSegs).
func (s *Schedule) block(h, b int, segs []Segment) Block {
	m, p := s.Mask, s.P
	kvh := h / s.GroupSize()
	if b < s.NGlobal {
		r0 := b * p
		return Block{Head: h, KVHead: kvh, R0: r0, R1: min(r0+p, m.Global) - 1, Global: true,
			Segs: append(segs, Segment{0, m.N - 1, SrcStream})}
	}
	w := b - s.NGlobal
	r0 := m.Global + w*p
	blk := Block{Head: h, KVHead: kvh, R0: r0, R1: min(r0+p, m.N) - 1, Segs: segs}
	if s.Flash {
		s.flashSegs(&blk)
		return blk
	}
	if s.Dense {
		hi := m.N - 1
		if m.Causal {
			hi = blk.R1
		}
		blk.Segs = append(blk.Segs, Segment{0, hi, SrcStream})
		return blk
	}
	s.windowSegs(&blk, w)
	return blk
}

// windowSegs fills the sweep of windowed SWAT block w: pinned keys, then
// ring keys, then keys new to the window stream.
func (s *Schedule) windowSegs(blk *Block, w int) {
	m := s.Mask
	pin := m.Pinned()
	lo, _ := m.WindowRange(blk.R0)
	_, hi := m.WindowRange(blk.R1)
	if w == 0 {
		blk.Preload = pin
	}
	if pin > 0 {
		pe := pin - 1
		if m.Causal {
			pe = min(pe, blk.R1)
		}
		blk.Segs = append(blk.Segs, Segment{0, pe, SrcPinned})
	}
	recv := s.wstart
	if w > 0 {
		_, prevHi := m.WindowRange(blk.R0 - 1)
		recv = max(recv, prevHi+1)
	}
	from := max(lo, pin)
	if r := min(recv-1, hi); from <= r {
		blk.Segs = append(blk.Segs, Segment{from, r, SrcRing})
	}
	if f := max(from, recv); f <= hi {
		blk.Segs = append(blk.Segs, Segment{f, hi, SrcStream})
	}
}

// Requirements are the on-chip buffer depths a schedule needs.
type Requirements struct {
	KVBufRows  int // window ring depth
	PinnedRows int // global/sink buffer depth
}

// Requirements computes the minimum buffer depths of the design point.
func (d *Design) Requirements() Requirements {
	if d.Arch != ArchSWAT {
		return Requirements{}
	}
	s := NewSchedule(d)
	r := Requirements{PinnedRows: d.minPinned()}
	var segs [maxSegs]Segment
	for b := s.NGlobal; b < s.Blocks(); b++ {
		blk := s.block(0, b, segs[:0])
		lo, hi := -1, -1
		for _, seg := range blk.Segs {
			if seg.Src == SrcPinned {
				continue
			}
			if lo < 0 {
				lo = seg.Lo
			}
			hi = seg.Hi
		}
		if lo >= 0 {
			r.KVBufRows = max(r.KVBufRows, hi-lo+1)
		}
	}
	return r
}

// KVBufRows is the ring depth the design uses (configured or minimum).
func (d *Design) KVBufRows() int {
	if d.HW.KVBufRows > 0 {
		return d.HW.KVBufRows
	}
	return max(1, d.Requirements().KVBufRows)
}

// PinnedRows is the pinned-buffer depth the design uses.
func (d *Design) PinnedRows() int {
	if d.HW.PinnedRows > 0 {
		return d.HW.PinnedRows
	}
	return d.minPinned()
}

// minPinned is the pinned-buffer depth the schedule needs: max(G, S) for
// SWAT, none for the dense and flash baselines. Unlike the ring depth it needs no walk
// over the blocks.
func (d *Design) minPinned() int {
	if d.Arch != ArchSWAT {
		return 0
	}
	return d.Mask().Pinned()
}
