package dataflow

// Per-core stream contents and stall patterns (SCHEDULE.md, "Stream
// contents" and "Stall pattern"): what a testbench feeds each core's ports
// and what the model replays.

// coreSeedStep is the step between the stall seeds of consecutive cores:
// core c's ports use seed + c * coreSeedStep (mod 2^64), SplitMix64's
// increment, so core 0 keeps the run's seed.
const coreSeedStep = 0x9E3779B97F4A7C15

// Core is the stall pattern of core c's ports: the same percentage, seed
// + c * 0x9E3779B97F4A7C15 (mod 2^64).
func (p StallPattern) Core(c int) StallPattern {
	return StallPattern{Seed: p.Seed + uint64(c)*coreSeedStep, Percent: p.Percent}
}

// QRows calls f for every beat of the core's q stream in order: the rows
// r0..r1 of each block's query head. The o stream carries the same rows
// in the same order.
func (o *Order) QRows(f func(head, row int)) {
	for i := 0; i < o.Len(); i++ {
		blk := o.Block(i)
		for r := blk.R0; r <= blk.R1; r++ {
			f(blk.Head, r)
		}
	}
}

// KVRows calls f for every beat of the core's k/v streams in order: per
// block, the preload keys and then the keys of its stream segments, rows
// of the block's K/V head.
func (o *Order) KVRows(f func(kvHead, key int)) {
	for i := 0; i < o.Len(); i++ {
		blk := o.Block(i)
		for k := 0; k < blk.Preload; k++ {
			f(blk.KVHead, k)
		}
		for _, sg := range blk.Segs {
			if sg.Src != SrcStream {
				continue
			}
			for k := sg.Lo; k <= sg.Hi; k++ {
				f(blk.KVHead, k)
			}
		}
	}
}
