package core

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/alarm"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/accel/writer"
	"github.com/swatsim/swatsim/dataflow"
)

// Builder builds cores; defaults in MakeBuilder.
type Builder struct {
	engine  sim.Engine
	freq    sim.Freq
	horizon int64
	eng     *dataflow.Engine
	dp      *Datapath
	q, k, v *stream.FIFO
	out     *writer.Comp
}

// MakeBuilder returns a builder at 300 MHz that looks 1024 cycles ahead.
func MakeBuilder() Builder { return Builder{freq: 300 * sim.MHz, horizon: 1024} }

// WithEngine sets the simulation engine.
func (b Builder) WithEngine(e sim.Engine) Builder { b.engine = e; return b }

// WithFreq sets the core clock.
func (b Builder) WithFreq(f sim.Freq) Builder { b.freq = f; return b }

// WithHorizon sets how many cycles past the present the core may compute
// in one wake-up.
func (b Builder) WithHorizon(n int64) Builder { b.horizon = n; return b }

// WithSchedule sets the timing engine (the schedule to run).
func (b Builder) WithSchedule(e *dataflow.Engine) Builder { b.eng = e; return b }

// WithDatapath turns on functional mode with the given datapath.
func (b Builder) WithDatapath(dp *Datapath) Builder { b.dp = dp; return b }

// WithStreams sets the input FIFOs and the output writer.
func (b Builder) WithStreams(q, k, v *stream.FIFO, out *writer.Comp) Builder {
	b.q, b.k, b.v, b.out = q, k, v, out
	return b
}

// Build creates the core.
func (b Builder) Build(name string) *Comp {
	if b.engine == nil || b.eng == nil || b.q == nil || b.k == nil || b.v == nil || b.out == nil {
		panic(fmt.Sprintf("core %s: engine, schedule and streams must be set", name))
	}
	c := &Comp{Builder: b}
	c.TickingComponent = sim.NewTickingComponent(name, b.engine, b.freq, c)
	b.eng.Obs = c
	return c
}

// Comp is the attention core.
type Comp struct {
	*sim.TickingComponent
	Builder

	// OnWake is called after every wake-up (the platform wakes loaders).
	OnWake func(now sim.VTimeInSec)
	// Blocks receives every finished block's phase times, if set.
	Blocks func(*dataflow.BlockTimes)
	// Finished is set when the last output row has left the core.
	Finished bool

	now     sim.VTimeInSec
	alarm   alarm.Alarm
	waiting bool // stopped on a beat that has not arrived
}

// Engine is the core's timing engine.
func (c *Comp) Engine() *dataflow.Engine { return c.eng }

// Start schedules the core's first wake-up.
func (c *Comp) Start(at sim.VTimeInSec) { c.alarm.At(c.TickingComponent.Engine, c, at, at) }

// Tick advances the timing engine up to the horizon and sleeps until the
// next action or until a missing beat arrives.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	c.now = now
	cyc := int64(c.freq.Cycle(now))
	ok := c.eng.Run(c, cyc+c.horizon)
	if c.OnWake != nil {
		c.OnWake(now)
	}
	switch {
	case c.eng.Done():
		c.Finished = true
	case ok:
		next := max(c.eng.Next(), cyc+1)
		c.alarm.At(c.TickingComponent.Engine, c, c.freq.NCyclesLater(int(next-cyc), now), now)
	}
	return false
}

// Wake is called when a beat arrives on an input stream; it matters only
// when the core is waiting for one.
func (c *Comp) Wake(now sim.VTimeInSec) {
	if c.waiting && !c.Finished {
		c.waiting = false
		c.alarm.At(c.TickingComponent.Engine, c, c.freq.NextTick(now), now)
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
func (c *Comp) Beat(s dataflow.Stream, n int64, cyc int64) {
	blk := c.eng.Current()
	switch s {
	case dataflow.StreamQ:
		b, _ := c.q.Get(n)
		c.q.Consume(cyc)
		if c.dp != nil {
			c.dp.LoadQ(blk, b)
		}
	case dataflow.StreamKV:
		kb, _ := c.k.Get(n)
		vb, _ := c.v.Get(n)
		c.k.Consume(cyc)
		c.v.Consume(cyc)
		if c.dp != nil {
			c.dp.TakeKV(blk, c.eng.Phase() == dataflow.PhPreload, kb, vb)
		}
	case dataflow.StreamO:
		c.emit(blk, cyc)
	}
}

func (c *Comp) emit(blk *dataflow.Block, cyc int64) {
	p := int(c.eng.Beats(dataflow.StreamO)) % c.eng.S.Mask.N
	row := p
	beat := stream.Beat{Head: blk.Head, Row: row, Arrival: cyc + 1}
	if c.dp != nil {
		beat.K = c.dp.Out(row - blk.R0)
	}
	c.out.Push(beat, c.now)
}

// Keys implements dataflow.Observer.
func (c *Comp) Keys(b *dataflow.Block, seg dataflow.Segment, lo, hi int) {
	if c.dp != nil {
		c.dp.Sweep(b, seg, lo, hi)
	}
}

// Norm implements dataflow.Observer.
func (c *Comp) Norm(b *dataflow.Block) {
	if c.dp != nil {
		c.dp.Norm(b)
	}
}

// BlockDone implements dataflow.Observer.
func (c *Comp) BlockDone(bt *dataflow.BlockTimes) {
	if c.Blocks != nil {
		c.Blocks(bt)
	}
}
