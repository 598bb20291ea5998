package dataflow

// Port numbers of the stall pattern.
const (
	PortQValid = 0
	PortKValid = 1
	PortVValid = 2
	PortOReady = 3
)

// StallPattern is the seeded valid/ready pattern applied at the core's
// stream ports in co-simulation; the Verilator testbench computes the same
// function (SCHEDULE.md). Percent = 0 means no stalls.
type StallPattern struct {
	Seed    uint64
	Percent int // share of cycles, in percent, a port is held off
}

// SplitMix64 is the mixing function of the stall pattern.
func SplitMix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// Open reports whether port may transfer at cycle: valid (inputs) or
// ready (output) is high.
func (p StallPattern) Open(port int, cycle int64) bool {
	if p.Percent <= 0 {
		return true
	}
	x := SplitMix64(p.Seed ^ uint64(port)<<56 ^ uint64(cycle))
	return x%100 >= uint64(p.Percent)
}

// Transfer implements Ports: the first cycle >= t at which the stream's
// ports are open (K and V both valid for StreamKV).
func (p StallPattern) Transfer(s Stream, _ int64, t int64) (int64, bool) {
	if p.Percent >= 100 {
		return 0, false // the port never opens
	}
	for c := t; ; c++ {
		if p.open(s, c) {
			return c, true
		}
	}
}

func (p StallPattern) open(s Stream, c int64) bool {
	switch s {
	case StreamQ:
		return p.Open(PortQValid, c)
	case StreamKV:
		return p.Open(PortKValid, c) && p.Open(PortVValid, c)
	default:
		return p.Open(PortOReady, c)
	}
}

// KVOrder calls f for every K/V row the core takes from its K and V
// streams, in stream order, for head h: per block, the preload keys and
// then the keys of its stream segments.
func (s *Schedule) KVOrder(h int, f func(blk *Block, key int)) {
	for b := 0; b < s.Blocks(); b++ {
		blk := s.Block(h, b)
		for k := 0; k < blk.Preload; k++ {
			f(&blk, k)
		}
		for _, sg := range blk.Segs {
			if sg.Src != SrcStream {
				continue
			}
			for k := sg.Lo; k <= sg.Hi; k++ {
				f(&blk, k)
			}
		}
	}
}
