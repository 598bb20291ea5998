package dataflow

// flashSegs fills the sweep of a windowed block of the flash baseline
// (FlashAttention-2 style): the keys are cut into tiles of KeyTile rows
// starting at key 0; a tile is visited when some row of the block attends
// to some key in it, and a visited tile is streamed whole (its masked keys
// cost full compute). Adjacent visited tiles form one stream segment.
func (s *Schedule) flashSegs(blk *Block) {
	m, t := s.Mask, s.KeyTile
	lo, _ := m.WindowRange(blk.R0)
	_, hi := m.WindowRange(blk.R1)
	var ranges [][2]int // attended key ranges, ascending
	if pin := m.Pinned(); pin > 0 {
		pe := pin - 1
		if m.Causal {
			pe = min(pe, blk.R1)
		}
		ranges = append(ranges, [2]int{0, pe})
	}
	if lo <= hi {
		ranges = append(ranges, [2]int{lo, hi})
	}
	for _, r := range ranges {
		t0, t1 := r[0]/t, r[1]/t
		k0, k1 := t0*t, min((t1+1)*t, m.N)-1
		if n := len(blk.Segs); n > 0 && blk.Segs[n-1].Hi >= k0-1 {
			blk.Segs[n-1].Hi = max(blk.Segs[n-1].Hi, k1)
			continue
		}
		blk.Segs = append(blk.Segs, Segment{k0, k1, SrcStream})
	}
}
