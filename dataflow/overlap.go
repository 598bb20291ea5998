package dataflow

// Overlapped (staggered) schedule, hw.overlap = true: SCHEDULE.md,
// "Overlapped phases".

// keyPos is the position of key in the block's sweep (the keys of its
// segments in order), or -1 when the block does not sweep it.
func (b *Block) keyPos(key int) int {
	off := 0
	for _, sg := range b.Segs {
		if key >= sg.Lo && key <= sg.Hi {
			return off + key - sg.Lo
		}
		off += sg.Len()
	}
	return -1
}

// srcAt is the source of the key at position x of the block's sweep.
func (b *Block) srcAt(x int) Source {
	for _, sg := range b.Segs {
		if x < sg.Len() {
			return sg.Src
		}
		x -= sg.Len()
	}
	return SrcStream
}

// rowSpan is the first and last key windowed row r attends to.
func (s *Schedule) rowSpan(r int) (first, last int) {
	m := s.Mask
	lo, hi := m.WindowRange(r)
	first, last = lo, hi
	if m.Global > 0 {
		first, last = 0, max(last, m.Global-1)
	}
	if m.Sinks > 0 {
		first = 0
		sh := m.Sinks - 1
		if m.Causal {
			sh = min(sh, r)
		}
		last = max(last, sh)
	}
	return first, last
}

// Offset is D for consecutive blocks a and b of a core's order: b's sweep
// position y issues in the slot of a's position y + D. It returns a.Keys()
// (no overlap) unless both are windowed SWAT blocks, b preloads nothing,
// a's positions D.. are stream keys and b's positions ..Keys()-1-D are
// ring or pinned keys. D is the least value >= minD such that no PE holds
// a row of a and a row of b in one slot (PE p's last attended position in
// a is before D + its first in b), and every ring key b reads in the
// overlap was streamed by a in an earlier slot.
func (s *Schedule) Offset(a, b *Block, minD int) int {
	k := a.Keys()
	if s.Dense || s.Flash || a.Global || b.Global || b.Preload > 0 {
		return k
	}
	d := max(1, minD)
	for p := 0; p < s.P; p++ {
		ra, rb := a.R0+p, b.R0+p
		if ra > a.R1 || rb > b.R1 {
			continue
		}
		_, la := s.rowSpan(ra)
		fb, _ := s.rowSpan(rb)
		d = max(d, a.keyPos(la)-b.keyPos(fb)+1)
	}
	for changed := true; changed && d < k; {
		changed = false
		for y := 0; y < k-d; y++ {
			if b.srcAt(y) == SrcStream || a.srcAt(y+d) != SrcStream {
				return k
			}
			if xa := a.keyPos(b.keyAt(y)); xa >= 0 && a.srcAt(xa) == SrcStream && y+d <= xa {
				d, changed = xa-y+1, true
				break
			}
		}
	}
	return min(d, k)
}

// keyAt is the key at position x of the block's sweep.
func (b *Block) keyAt(x int) int {
	for _, sg := range b.Segs {
		if x < sg.Len() {
			return sg.Lo + x
		}
		x -= sg.Len()
	}
	return -1
}
