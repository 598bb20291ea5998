package core

import (
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

// Datapath is the functional half of the core: P processing elements, each
// holding one query row and its online-softmax state, fed keys from the
// pinned buffer, the window ring or the stream. Query registers, states and
// outputs are double-buffered: block Seq uses bank Seq mod 2, so that the
// overlapped schedule can load and sweep the next block while this one is
// normalised and sent.
type Datapath struct {
	K    *reference.Kernel
	Mask reference.Mask
	P    int

	q     [][]int64
	st    []reference.RowState
	out   [][]int64
	ringK [][]int64
	ringV [][]int64
	pinK  [][]int64
	pinV  [][]int64
	curK  []int64
	curV  []int64
}

// NewDatapath builds the datapath with the given ring and pinned depths.
func NewDatapath(k *reference.Kernel, m reference.Mask, p, ringRows, pinRows int) *Datapath {
	dp := &Datapath{K: k, Mask: m, P: p}
	dp.q, dp.out = rows(2*p, k.D), rows(2*p, k.D)
	dp.st = make([]reference.RowState, 2*p)
	dp.ringK, dp.ringV = rows(ringRows, k.D), rows(ringRows, k.D)
	dp.pinK, dp.pinV = rows(pinRows, k.D), rows(pinRows, k.D)
	return dp
}

func rows(n, d int) [][]int64 {
	r := make([][]int64, n)
	for i := range r {
		r[i] = make([]int64, d)
	}
	return r
}

// LoadQ takes the next query row of block b into its PE and clears the
// PE's state.
func (dp *Datapath) LoadQ(b *dataflow.Block, beat *stream.Beat) {
	p := dp.bank(b) + beat.Row - b.R0
	copy(dp.q[p], beat.K)
	dp.st[p].Reset(dp.K.D)
}

// TakeKV takes a K/V beat: into the pinned buffer during the preload,
// otherwise as the stream key, which a windowed SWAT block also writes
// into the ring at key mod depth.
func (dp *Datapath) TakeKV(b *dataflow.Block, preload bool, k, v *stream.Beat) {
	key := k.Row
	if preload {
		copy(dp.pinK[key], k.K)
		copy(dp.pinV[key], v.K)
		return
	}
	dp.curK, dp.curV = k.K, v.K
	if !b.Global && len(dp.ringK) > 0 {
		copy(dp.ringK[key%len(dp.ringK)], k.K)
		copy(dp.ringV[key%len(dp.ringV)], v.K)
	}
}

// Sweep issues keys lo..hi of a segment to every PE whose row attends to
// them.
func (dp *Datapath) Sweep(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	for key := lo; key <= hi; key++ {
		k, v := dp.source(seg.Src, key)
		base := dp.bank(b)
		for p := 0; p < b.Rows(); p++ {
			if dp.Mask.Allowed(b.R0+p, key) {
				dp.K.Update(&dp.st[base+p], dp.K.Score(dp.K.Dot(dp.q[base+p], k)), v)
			}
		}
	}
}

func (dp *Datapath) source(src dataflow.Source, key int) (k, v []int64) {
	switch src {
	case dataflow.SrcPinned:
		return dp.pinK[key], dp.pinV[key]
	case dataflow.SrcRing:
		i := key % len(dp.ringK)
		return dp.ringK[i], dp.ringV[i]
	default:
		return dp.curK, dp.curV
	}
}

// Norm runs the division unit of every PE of the block.
func (dp *Datapath) Norm(b *dataflow.Block) {
	base := dp.bank(b)
	for p := 0; p < b.Rows(); p++ {
		dp.K.Finish(&dp.st[base+p], dp.out[base+p])
	}
}

// Out returns a copy of output row p of the block.
func (dp *Datapath) Out(b *dataflow.Block, p int) []int64 {
	return append([]int64(nil), dp.out[dp.bank(b)+p]...)
}

// bank is the first PE register of the block's bank.
func (dp *Datapath) bank(b *dataflow.Block) int { return b.Seq % 2 * dp.P }
