package core

import (
	"runtime"
	"sync"
	"sync/atomic"

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
	// swept are the keys of each bank's block in sweep order, folded into
	// the PEs' states at Norm (rows in parallel)
	swept [2][]sweptKey
	// mask is each PE register's row mask (set by Norm)
	mask []reference.RowMask
}

// sweptKey is one key a block swept: its index and K and V rows.
type sweptKey struct {
	key  int
	k, v []int64
}

// NewDatapath builds the datapath with the given ring and pinned depths.
func NewDatapath(k *reference.Kernel, m reference.Mask, p, ringRows, pinRows int) *Datapath {
	dp := &Datapath{K: k, Mask: m, P: p}
	dp.q, dp.out = rows(2*p, k.D), rows(2*p, k.D)
	dp.st = make([]reference.RowState, 2*p)
	dp.mask = make([]reference.RowMask, 2*p)
	// Keys are below m.N, so a deeper buffer than that holds the same rows
	// at the same indexes (key mod depth = key): allocate what is used.
	ringRows, pinRows = min(ringRows, m.N), min(pinRows, m.N)
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
	dp.swept[b.Seq%2] = dp.swept[b.Seq%2][:0]
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

// Sweep issues keys lo..hi of a segment to the PEs of the block. The
// datapath notes the key rows (they stay in place until the block's Norm:
// the ring is deep enough for the block's window, the stream rows are the
// beats' own) and folds them in at Norm.
func (dp *Datapath) Sweep(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	sw := &dp.swept[b.Seq%2]
	for key := lo; key <= hi; key++ {
		k, v := dp.source(seg.Src, key)
		*sw = append(*sw, sweptKey{key, k, v})
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

// Norm folds the block's swept keys into every PE whose row attends to
// them, in sweep order, then runs the division unit of every PE. The PEs
// are independent, so they run on all CPUs, a run of PEs at a time; each
// PE's arithmetic and order are fixed, so the result does not depend on
// the parallelism.
func (dp *Datapath) Norm(b *dataflow.Block) {
	base, keys := dp.bank(b), dp.swept[b.Seq%2]
	parallelRuns(b.Rows(), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			dp.mask[base+p] = dp.Mask.Row(b.R0 + p)
		}
		dp.fold(base+lo, base+hi, keys)
		for r := base + lo; r < base+hi; r++ {
			dp.K.Finish(&dp.st[r], dp.out[r])
		}
	})
	dp.swept[b.Seq%2] = keys[:0]
}

// fold folds the keys into the states of PE registers lo..hi-1, key by
// key as the array does: each key goes to every PE whose row attends to
// it, so every PE sees its keys in sweep order (the PEs are independent),
// while the key's K and V rows and the PEs' registers stay in the CPU's
// cache.
func (dp *Datapath) fold(lo, hi int, keys []sweptKey) {
	for _, sk := range keys {
		for r := lo; r < hi; r++ {
			if dp.mask[r].Allows(sk.key) {
				dp.K.Update(&dp.st[r], dp.K.Score(dp.K.Dot(dp.q[r], sk.k)), sk.v)
			}
		}
	}
}

// parallelRuns calls f for runs [lo, hi) that cover PEs 0..n-1, on up to
// GOMAXPROCS goroutines (the caller's among them). With more than one,
// there are two runs per goroutine, taken in turn by whichever goroutine
// is free, so that a goroutine the OS holds back delays the block less.
func parallelRuns(n int, f func(lo, hi int)) {
	w := min(n, runtime.GOMAXPROCS(0))
	if w <= 1 {
		f(0, n)
		return
	}
	size := (n + 2*w - 1) / (2 * w)
	var next atomic.Int64
	run := func() {
		for {
			lo := int(next.Add(int64(size))) - size
			if lo >= n {
				return
			}
			f(lo, min(n, lo+size))
		}
	}
	var wg sync.WaitGroup
	for range w - 1 {
		wg.Go(run)
	}
	run()
	wg.Wait()
}

// Outs returns a copy of the block's output rows (one allocation).
func (dp *Datapath) Outs(b *dataflow.Block) [][]int64 {
	rows, flat := make([][]int64, b.Rows()), make([]int64, b.Rows()*dp.K.D)
	for p := range rows {
		rows[p] = flat[p*dp.K.D : (p+1)*dp.K.D : (p+1)*dp.K.D]
		copy(rows[p], dp.out[dp.bank(b)+p])
	}
	return rows
}

// bank is the first PE register of the block's bank.
func (dp *Datapath) bank(b *dataflow.Block) int { return b.Seq % 2 * dp.P }
