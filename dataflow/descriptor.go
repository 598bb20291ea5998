package dataflow

import "fmt"

// BlockDesc is one entry of the overlapped controller's block-descriptor
// ROM (hdlgen builds the ROM from these; package resource counts its
// block RAM from the same entries): a block of a unit's order
// (Order.Block) with its sweep split into pinned keys 0..PinN-1, ring keys
// RingLo.. (RingN of them, the first at ring address RingAddr) and stream
// keys StrLo.. (StrN, the first written at StrAddr), and the offset D of
// the next block's sweep in its own (Schedule.Offset; K: no overlap). A
// flash block may sweep a second stream run, from key S2Lo, after its
// StrN keys from StrLo (its pinned tiles, then its window tiles).
type BlockDesc struct {
	Glob          bool
	R0, Rows      int
	Preload       bool
	PinN          int
	RingLo, RingN int
	RingAddr      int
	StrLo, StrN   int
	StrAddr       int
	S2Lo          int
	K, D          int
}

// UnitDescs is the descriptor ROM of the overlapped schedule: the blocks
// of one unit in a core's order (every unit has the same sequence: its
// first block takes no inherited positions), with the offsets the cycle
// model computes; depth is the ring's rows. The last entry's successor is
// the next unit's first block, of the same geometry as the first.
func (s *Schedule) UnitDescs(depth int) ([]BlockDesc, error) {
	o := s.CoreOrder(0)
	per := s.Blocks() * s.Units()[0].NHeads
	descs := make([]BlockDesc, per)
	inherited := 0
	for i := range per {
		a, b := o.Block(i), o.Block((i+1)%per)
		desc, err := DescribeBlock(&a, depth)
		if err != nil {
			return nil, err
		}
		desc.D = s.Offset(&a, &b, inherited)
		inherited = 0
		if desc.D < desc.K {
			inherited = desc.K - desc.D
		}
		descs[i] = desc
	}
	return descs, nil
}

// DescribeBlock cuts a block's sweep into the pinned, ring and stream runs
// (D is left 0); an error names a sweep the descriptor cannot hold.
func DescribeBlock(b *Block, depth int) (BlockDesc, error) {
	d := BlockDesc{Glob: b.Global, R0: b.R0, Rows: b.Rows(), Preload: b.Preload > 0, K: b.Keys()}
	order := 0
	for _, sg := range b.Segs {
		rank := int(sg.Src) + 1 // pinned 1, ring 2, stream 3: ascending, once each
		if sg.Src == SrcStream && d.StrN > 0 && d.S2Lo == 0 {
			d.S2Lo = sg.Lo // flash: the window tiles after the pinned ones
			continue
		}
		if rank <= order {
			return d, fmt.Errorf("block rows %d..%d sweeps %v: not pinned, ring, stream in order", b.R0, b.R1, b.Segs)
		}
		order = rank
		switch sg.Src {
		case SrcPinned:
			if sg.Lo != 0 {
				return d, fmt.Errorf("pinned keys from %d", sg.Lo)
			}
			d.PinN = sg.Len()
		case SrcRing:
			d.RingLo, d.RingN, d.RingAddr = sg.Lo, sg.Len(), sg.Lo%depth
		default:
			d.StrLo, d.StrN, d.StrAddr = sg.Lo, sg.Len(), sg.Lo%depth
		}
	}
	return d, nil
}
