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
	// goroutine together (one hand-over per block, not per beat), and the
	// goroutine hands the emptied batches back through free for reuse.
	batch []op
	ops   chan []op
	free  chan []op
	// outs are the output rows of each bank's block (Seq mod 2).
	outs [2]*stream.Pending
}

// op is one datapath action, held by value (no allocation per beat).
type op struct {
	kind    opKind
	blk     dataflow.Block
	beat    stream.Beat // LoadQ: the query row; TakeKV: the K beat
	v       stream.Beat // TakeKV: the V beat
	preload bool
	seg     dataflow.Segment
	lo, hi  int
	res     *stream.Pending // Norm: where the output rows go
}

type opKind uint8

const (
	opLoadQ opKind = iota
	opTakeKV
	opSweep
	opNorm
)

func newWorker(dp *Datapath) *worker {
	w := &worker{dp: dp, ops: make(chan []op, 64), free: make(chan []op, 64)}
	go func() {
		for batch := range w.ops {
			for i := range batch {
				w.run(&batch[i])
			}
			clear(batch) // drop the beats' rows before the batch is reused
			select {
			case w.free <- batch[:0]:
			default:
			}
		}
	}()
	return w
}

// run applies one action to the datapath.
func (w *worker) run(o *op) {
	switch o.kind {
	case opLoadQ:
		w.dp.LoadQ(&o.blk, &o.beat)
	case opTakeKV:
		w.dp.TakeKV(&o.blk, o.preload, &o.beat, &o.v)
	case opSweep:
		w.dp.Sweep(&o.blk, o.seg, o.lo, o.hi)
	case opNorm:
		w.dp.Norm(&o.blk)
		o.res.Set(w.dp.Outs(&o.blk))
	}
}

// stop ends the goroutine once the queued actions are done.
func (w *worker) stop() {
	w.flush()
	close(w.ops)
}

// flush hands the collected actions to the goroutine.
func (w *worker) flush() {
	if len(w.batch) == 0 {
		return
	}
	w.ops <- w.batch
	select {
	case b := <-w.free:
		w.batch = b
	default:
		w.batch = nil
	}
}

func (w *worker) loadQ(b *dataflow.Block, beat *stream.Beat) {
	w.batch = append(w.batch, op{kind: opLoadQ, blk: *b, beat: *beat})
}

func (w *worker) takeKV(b *dataflow.Block, preload bool, k, v *stream.Beat) {
	w.batch = append(w.batch, op{kind: opTakeKV, blk: *b, preload: preload, beat: *k, v: *v})
}

func (w *worker) sweep(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	w.batch = append(w.batch, op{kind: opSweep, blk: *b, seg: seg, lo: lo, hi: hi})
}

// norm queues the block's division and publishes its output rows.
func (w *worker) norm(b *dataflow.Block) {
	res := stream.NewPending()
	w.outs[b.Seq%2] = res
	w.batch = append(w.batch, op{kind: opNorm, blk: *b, res: res})
	w.flush()
}

// out marks beat as output row p of block b, computed by the worker.
func (w *worker) out(b *dataflow.Block, p int, beat *stream.Beat) {
	beat.Pending, beat.PendingRow = w.outs[b.Seq%2], p
}
