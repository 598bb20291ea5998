package core

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// Builder builds cores; defaults in MakeBuilder.
type Builder struct {
	engine  sim.Engine
	freq    sim.Freq
	horizon int64
	seq     *dataflow.Sequencer
	dp      *Datapath
	q, k, v *stream.FIFO
	out     OutputSink
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

// WithSequencer sets the sequencer (the core's block order and timing).
func (b Builder) WithSequencer(s *dataflow.Sequencer) Builder { b.seq = s; return b }

// WithDatapath turns on functional mode with the given datapath, which
// runs on a goroutine of its own (Comp.Close stops it).
func (b Builder) WithDatapath(dp *Datapath) Builder { b.dp = dp; return b }

// WithStreams sets the input FIFOs and the sink of the output rows.
func (b Builder) WithStreams(q, k, v *stream.FIFO, out OutputSink) Builder {
	b.q, b.k, b.v, b.out = q, k, v, out
	return b
}

// Build creates the core.
func (b Builder) Build(name string) *Comp {
	b.mustBeComplete(name)
	c := &Comp{seq: b.seq, q: b.q, k: b.k, v: b.v, out: b.out, freq: b.freq, horizon: b.horizon}
	c.Component = serial.New(name, b.engine, b.freq, c)
	b.seq.Obs = c
	if b.dp != nil {
		c.dp = newWorker(b.dp)
	}
	return c
}

func (b Builder) mustBeComplete(name string) {
	if b.engine == nil || b.seq == nil || b.q == nil || b.k == nil || b.v == nil || b.out == nil {
		panic(fmt.Sprintf("core %s: engine, sequencer and streams must be set", name))
	}
}
