package core

import (
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/alarm"
	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// OutputSink takes the core's output rows (the platform's writer).
type OutputSink interface {
	// Push hands over an output row that leaves the core in cycle b.Arrival.
	Push(b stream.Beat, now sim.VTimeInSec)
}

// Comp is the attention core.
type Comp struct {
	*serial.Component

	// OnWake is called after every wake-up (the platform wakes loaders).
	OnWake func(now sim.VTimeInSec)
	// Blocks receives every finished block's phase times, if set.
	Blocks func(*dataflow.BlockTimes)
	// Finished is set when the last output row has left the core.
	Finished bool

	seq     *dataflow.Sequencer
	dp      *worker
	q, k, v *stream.FIFO
	out     OutputSink
	freq    sim.Freq
	horizon int64
	now     sim.VTimeInSec
	alarm   alarm.Alarm
	waiting bool // stopped on a beat that has not arrived
}

// Sequencer is the core's sequencer.
func (c *Comp) Sequencer() *dataflow.Sequencer { return c.seq }

// Start schedules the core's first wake-up.
func (c *Comp) Start(at sim.VTimeInSec) { c.alarm.At(c.Component, c, at, at) }

// Tick advances the sequencer up to the horizon and sleeps until the
// next action or until a missing beat arrives.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	c.now = now
	cyc := int64(c.freq.Cycle(now))
	ok := c.seq.Run(c, cyc+c.horizon)
	if c.OnWake != nil {
		c.OnWake(now)
	}
	switch {
	case c.seq.Done():
		c.Finished = true
		c.Close()
	case ok:
		next := max(c.seq.Next(), cyc+1)
		c.alarm.At(c.Component, c, c.freq.NCyclesLater(int(next-cyc), now), now)
	}
	return false
}

// Close stops the datapath's goroutine (after its queued actions); the
// core stops it itself when it finishes.
func (c *Comp) Close() {
	if c.dp != nil {
		c.dp.stop()
		c.dp = nil
	}
}

// Wake is called when a beat arrives on an input stream; it matters only
// when the core is waiting for one.
func (c *Comp) Wake(now sim.VTimeInSec) {
	if c.waiting && !c.Finished {
		c.waiting = false
		c.alarm.At(c.Component, c, c.freq.NextTick(now), now)
	}
}

// Transfer implements dataflow.Ports over the stream FIFOs: an input beat
// transfers no earlier than its arrival; the output is always ready (the
// writer buffers it).
func (c *Comp) Transfer(s dataflow.Stream, n int64, t int64) (int64, bool) {
	switch s {
	case dataflow.StreamQ:
		b, ok := c.q.Get(n)
		if !ok {
			c.waiting = true
			return 0, false
		}
		return max(t, b.Arrival), true
	case dataflow.StreamKV:
		kb, ok1 := c.k.Get(n)
		vb, ok2 := c.v.Get(n)
		if !ok1 || !ok2 {
			c.waiting = true
			return 0, false
		}
		return max(t, kb.Arrival, vb.Arrival), true
	}
	return t, true
}

// Beat implements dataflow.Observer: it consumes FIFO entries, feeds the
// datapath and hands output rows to the writer.
func (c *Comp) Beat(blk *dataflow.Block, s dataflow.Stream, n int64, cyc int64) {
	switch s {
	case dataflow.StreamQ:
		b, _ := c.q.Get(n)
		c.q.Consume(cyc)
		if c.dp != nil {
			c.dp.loadQ(blk, b)
		}
	case dataflow.StreamKV:
		kb, _ := c.k.Get(n)
		vb, _ := c.v.Get(n)
		c.k.Consume(cyc)
		c.v.Consume(cyc)
		if c.dp != nil {
			c.dp.takeKV(blk, kb.Row < blk.Preload, kb, vb)
		}
	case dataflow.StreamO:
		c.emit(blk, cyc)
	}
}

func (c *Comp) emit(blk *dataflow.Block, cyc int64) {
	row := blk.R0 + c.seq.Pos()
	beat := stream.Beat{Head: blk.Head, Row: row, Arrival: cyc + 1}
	if c.dp != nil {
		c.dp.out(blk, row-blk.R0, &beat)
	}
	c.out.Push(beat, c.now)
}

// Keys implements dataflow.Observer.
func (c *Comp) Keys(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	if c.dp != nil {
		c.dp.sweep(b, seg, lo, hi)
	}
}

// Norm implements dataflow.Observer.
func (c *Comp) Norm(b *dataflow.Block) {
	if c.dp != nil {
		c.dp.norm(b)
	}
}

// BlockDone implements dataflow.Observer.
func (c *Comp) BlockDone(bt *dataflow.BlockTimes) {
	if c.Blocks != nil {
		c.Blocks(bt)
	}
}
