package sim

import (
	"github.com/swatsim/swatsim/accel/loader"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// layout places Q, K, V and O in memory, one after another, each
// [heads, seq_len, head_dim] of codes, aligned to 4 KiB.
type layout struct {
	rowBytes, elemBytes int
	q, k, v, o          uint64
	size                uint64
}

func newLayout(d *dataflow.Design, inBits int) layout {
	eb := stream.ElemBytes(inBits)
	l := layout{elemBytes: eb, rowBytes: eb * d.Model.HeadDim}
	t := align(uint64(d.Model.Heads*d.Model.SeqLen*l.rowBytes), 4096)
	l.q, l.k, l.v, l.o = 0, t, 2*t, 3*t
	l.size = 4 * t
	return l
}

func align(x, a uint64) uint64 { return (x + a - 1) / a * a }

// qPlan is the query stream: every row of every head in order.
func qPlan(d *dataflow.Design) loader.Plan {
	p := &loader.SlicePlan{}
	for h := 0; h < d.Model.Heads; h++ {
		p.Ranges = append(p.Ranges, loader.Range{Head: h, Lo: 0, Hi: d.Model.SeqLen - 1})
	}
	return p
}

// kvPlan is the K (or V) stream of Schedule.KVOrder as ranges, generated
// block by block.
func kvPlan(s *dataflow.Schedule, heads int) loader.Plan {
	nb := s.Blocks()
	return &loader.GenPlan{Gen: func(i int, buf []loader.Range) ([]loader.Range, bool) {
		if i >= nb*heads {
			return buf, false
		}
		blk := s.Block(i/nb, i%nb)
		if blk.Preload > 0 {
			buf = append(buf, loader.Range{Head: blk.Head, Lo: 0, Hi: blk.Preload - 1})
		}
		for _, sg := range blk.Segs {
			if sg.Src == dataflow.SrcStream {
				buf = append(buf, loader.Range{Head: blk.Head, Lo: sg.Lo, Hi: sg.Hi})
			}
		}
		return buf, true
	}}
}
