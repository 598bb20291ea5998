package core

import (
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// worker runs a core's datapath on a goroutine of its own, in the order the
// sequencer issued the actions, so that the datapaths of several cores
// (and a core's next block) compute on all CPUs while the event engine
// runs on. The only values that leave the datapath are a block's output
// rows: Norm publishes a copy of them in a stream.Pending, and whoever
// needs one (the writer, when it encodes a burst) waits for it. Each
// datapath's arithmetic and order are those of the serial run, so the
// values do not depend on the scheduling.
type worker struct {
	dp *Datapath
	// batch collects the actions up to the next Norm; they go to the
	// goroutine together (one hand-over per block, not per beat).
	batch []func()
	ops   chan []func()
	// outs are the output rows of each bank's block (Seq mod 2).
	outs [2]*stream.Pending
}

func newWorker(dp *Datapath) *worker {
	w := &worker{dp: dp, ops: make(chan []func(), 64)}
	go func() {
		for batch := range w.ops {
			for _, op := range batch {
				op()
			}
		}
	}()
	return w
}

// stop ends the goroutine once the queued actions are done.
func (w *worker) stop() {
	w.flush()
	close(w.ops)
}

func (w *worker) do(op func()) { w.batch = append(w.batch, op) }

// flush hands the collected actions to the goroutine.
func (w *worker) flush() {
	if len(w.batch) > 0 {
		w.ops <- w.batch
		w.batch = nil
	}
}

func (w *worker) loadQ(b *dataflow.Block, beat *stream.Beat) {
	blk, bq := *b, *beat
	w.do(func() { w.dp.LoadQ(&blk, &bq) })
}

func (w *worker) takeKV(b *dataflow.Block, preload bool, k, v *stream.Beat) {
	blk, kb, vb := *b, *k, *v
	w.do(func() { w.dp.TakeKV(&blk, preload, &kb, &vb) })
}

func (w *worker) sweep(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	blk := *b
	w.do(func() { w.dp.Sweep(&blk, seg, lo, hi) })
}

// norm queues the block's division and publishes its output rows.
func (w *worker) norm(b *dataflow.Block) {
	blk, res := *b, stream.NewPending()
	w.outs[b.Seq%2] = res
	w.do(func() {
		w.dp.Norm(&blk)
		rows := make([][]int64, blk.Rows())
		for p := range rows {
			rows[p] = w.dp.Out(&blk, p)
		}
		res.Set(rows)
	})
	w.flush()
}

// out marks beat as output row p of block b, computed by the worker.
func (w *worker) out(b *dataflow.Block, p int, beat *stream.Beat) {
	beat.Pending, beat.PendingRow = w.outs[b.Seq%2], p
}
