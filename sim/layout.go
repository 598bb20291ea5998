package sim

import (
	"github.com/swatsim/swatsim/accel/loader"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// layout places Q, K, V and O in memory, one after another, Q and O
// [heads, seq_len, head_dim] of codes, K and V [kv_heads, seq_len,
// head_dim], each aligned to 4 KiB and to the memory interleave.
type layout struct {
	rowBytes, elemBytes int
	q, k, v, o          uint64
	size                uint64
}

func newLayout(d *dataflow.Design, inBits int) layout {
	eb := stream.ElemBytes(inBits)
	l := layout{elemBytes: eb, rowBytes: eb * d.Model.HeadDim}
	a := uint64(max(4096, d.Memory.InterleaveB)) // tensors start on a channel granule
	t := align(uint64(d.Model.Heads*d.Model.SeqLen*l.rowBytes), a)
	kv := align(uint64(d.KVHeads()*d.Model.SeqLen*l.rowBytes), a)
	l.q, l.k, l.v, l.o = 0, t, t+kv, t+2*kv
	l.size = 2*t + 2*kv
	return l
}

func align(x, a uint64) uint64 { return (x + a - 1) / a * a }

// qPlan is a core's query stream: the rows of every block of its order,
// consecutive rows of a head joined into one range.
func qPlan(o *dataflow.Order) loader.Plan {
	return &loader.CoalescePlan{In: &loader.GenPlan{Gen: func(i int, buf []loader.Range) ([]loader.Range, bool) {
		if i >= o.Len() {
			return buf, false
		}
		blk := o.Block(i)
		return append(buf, loader.Range{Head: blk.Head, Lo: blk.R0, Hi: blk.R1}), true
	}}}
}

// kvPlan is a core's K (or V) stream as ranges of its K/V heads, generated
// block by block: the preload keys, then the keys of its stream segments.
func kvPlan(o *dataflow.Order) loader.Plan {
	return &loader.GenPlan{Gen: func(i int, buf []loader.Range) ([]loader.Range, bool) {
		if i >= o.Len() {
			return buf, false
		}
		blk := o.Block(i)
		if blk.Preload > 0 {
			buf = append(buf, loader.Range{Head: blk.KVHead, Lo: 0, Hi: blk.Preload - 1})
		}
		for _, sg := range blk.Segs {
			if sg.Src == dataflow.SrcStream {
				buf = append(buf, loader.Range{Head: blk.KVHead, Lo: sg.Lo, Hi: sg.Hi})
			}
		}
		return buf, true
	}}
}
