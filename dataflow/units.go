package dataflow

// Unit is a run of consecutive query heads of one K/V group that one core
// processes together: block by block, each block for every head of the
// unit in turn, so that the group's K/V rows are streamed once (by the
// unit's first head) and the other heads sweep them from the ring.
type Unit struct {
	KVHead int // the group's K/V head
	Head0  int // first query head
	NHeads int // query heads in the unit
}

// Split is the number of units each K/V group is cut into: 1 when there
// are at least as many groups as cores; otherwise the largest divisor of
// the group size that is at most cores / kv_heads, so that more cores have
// work (each part then streams the group's K/V again).
func (s *Schedule) Split() int {
	g, want := s.GroupSize(), max(1, s.Cores/s.KVHeads)
	best := 1
	for k := 1; k <= min(g, want); k++ {
		if g%k == 0 {
			best = k
		}
	}
	return best
}

// Units lists the work units in order: group by group, each cut into
// Split() parts of consecutive heads.
func (s *Schedule) Units() []Unit {
	sp := s.Split()
	n := s.GroupSize() / sp
	var us []Unit
	for g := 0; g < s.KVHeads; g++ {
		for k := 0; k < sp; k++ {
			us = append(us, Unit{KVHead: g, Head0: g*s.GroupSize() + k*n, NHeads: n})
		}
	}
	return us
}

// Rounds is the number of rounds the cores need: unit u runs on core
// u mod cores in round u / cores.
func (s *Schedule) Rounds() int { return (len(s.Units()) + s.Cores - 1) / s.Cores }

// IdleCores is the number of cores without a unit in the last round.
func (s *Schedule) IdleCores() int { return s.Rounds()*s.Cores - len(s.Units()) }

// Order is the block sequence one core runs.
type Order struct {
	s     *Schedule
	units []Unit
	per   int // blocks per unit
	// segs is where Block puts its blocks' segments: one allocation for
	// many blocks.
	segs []Segment
}

// CoreOrder is the block sequence of core c: its units in order, each
// block index for every head of the unit.
func (s *Schedule) CoreOrder(c int) *Order {
	o := &Order{s: s}
	for i, u := range s.Units() {
		if i%s.Cores == c {
			o.units = append(o.units, u)
		}
	}
	if len(o.units) > 0 {
		o.per = s.Blocks() * o.units[0].NHeads
	}
	return o
}

// Len is the number of blocks the core runs.
func (o *Order) Len() int { return len(o.units) * o.per }

// Units are the core's units.
func (o *Order) Units() []Unit { return o.units }

// Block returns the i-th block the core runs. A windowed SWAT block of a
// unit's second or later head sweeps its window keys from the ring (the
// first head's block streamed them) and preloads nothing. An Order is
// not safe for concurrent use.
func (o *Order) Block(i int) Block {
	u := o.units[i/o.per]
	j := i % o.per
	b, h := j/u.NHeads, j%u.NHeads
	if cap(o.segs)-len(o.segs) < maxSegs {
		o.segs = make([]Segment, 0, 256*maxSegs)
	}
	n := len(o.segs)
	blk := o.s.block(u.Head0+h, b, o.segs[n:n:n+maxSegs])
	o.segs = o.segs[:n+len(blk.Segs)]
	blk.Seq = i
	if h > 0 && !blk.Global && !o.s.Dense && !o.s.Flash {
		blk.reuseRing()
	}
	return blk
}

// reuseRing turns the block's stream keys into ring keys and drops its
// preload.
func (b *Block) reuseRing() {
	b.Preload = 0
	var segs []Segment
	for _, sg := range b.Segs {
		if sg.Src == SrcStream {
			sg.Src = SrcRing
		}
		if n := len(segs); n > 0 && sg.Src == SrcRing && segs[n-1].Src == SrcRing && segs[n-1].Hi+1 == sg.Lo {
			segs[n-1].Hi = sg.Hi
			continue
		}
		segs = append(segs, sg)
	}
	b.Segs = segs
}
