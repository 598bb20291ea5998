package sim

import "github.com/swatsim/swatsim/dataflow"

// Onchip counts the bytes moved through the on-chip buffers in a run
// (all heads, all cores).
type Onchip struct {
	RingRead, RingWrite     int64 // K/V window ring
	PinnedRead, PinnedWrite int64 // pinned (global/sink) buffer
	FIFO                    int64 // stream FIFOs: every row a loader delivers is written and read once
}

// Total is the K/V buffer traffic the report calls onchip_bytes: ring and
// pinned reads and writes.
func (o Onchip) Total() int64 { return o.RingRead + o.RingWrite + o.PinnedRead + o.PinnedWrite }

// CountOnchip walks every core's block order: every swept key read from
// the ring or the pinned buffer (its K and V rows), every key a windowed
// SWAT block streams into the ring, every preloaded pinned key; and, for
// the FIFOs, every Q and K/V row streamed in.
func CountOnchip(s *dataflow.Schedule, rowBytes int64) Onchip {
	var o Onchip
	kv := 2 * rowBytes
	for c := 0; c < s.Cores; c++ {
		ord := s.CoreOrder(c)
		for i := 0; i < ord.Len(); i++ {
			blk := ord.Block(i)
			o.PinnedWrite += kv * int64(blk.Preload)
			o.FIFO += 2 * (rowBytes*int64(blk.Rows()) + kv*int64(blk.Streamed()))
			for _, sg := range blk.Segs {
				n := kv * int64(sg.Len())
				switch {
				case sg.Src == dataflow.SrcPinned:
					o.PinnedRead += n
				case sg.Src == dataflow.SrcRing:
					o.RingRead += n
				case !blk.Global && !s.Dense && !s.Flash:
					o.RingWrite += n
				}
			}
		}
	}
	return o
}
