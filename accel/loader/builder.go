package loader

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/accel/stream"
)

// Builder builds loaders. Defaults are set in MakeBuilder.
type Builder struct {
	engine     sim.Engine
	freq       sim.Freq
	layout     stream.Layout
	functional bool
	fifo       *stream.FIFO
	plan       Plan
}

// MakeBuilder returns a builder with defaults: 300 MHz, timing only.
func MakeBuilder() Builder { return Builder{freq: 300 * sim.MHz} }

// WithEngine sets the simulation engine.
func (b Builder) WithEngine(e sim.Engine) Builder { b.engine = e; return b }

// WithFreq sets the loader's clock.
func (b Builder) WithFreq(f sim.Freq) Builder { b.freq = f; return b }

// WithLayout sets where the tensor lives and how it is read; a request
// carries at most half the FIFO so that the next one can be in flight.
func (b Builder) WithLayout(l stream.Layout) Builder { b.layout = l; return b }

// WithFunctional makes the loader decode the row codes it reads.
func (b Builder) WithFunctional(on bool) Builder { b.functional = on; return b }

// WithFIFO sets the stream FIFO the loader fills.
func (b Builder) WithFIFO(f *stream.FIFO) Builder { b.fifo = f; return b }

// WithPlan sets the row ranges the loader reads, in stream order.
func (b Builder) WithPlan(p Plan) Builder { b.plan = p; return b }

// Build creates the loader.
func (b Builder) Build(name string) *Comp {
	b.mustBeComplete(name)
	c := &Comp{freq: b.freq, layout: b.layout, functional: b.functional, fifo: b.fifo, plan: b.plan, pending: map[string]*request{}}
	c.rowsPerReq = RowsPerRequest(b.layout, b.fifo.Capacity)
	c.Component = serial.New(name, b.engine, b.freq, c)
	c.bottomPort = serial.NewPort(c, 64, name+".Bottom")
	c.AddPort("Bottom", c.bottomPort)
	return c
}

func (b Builder) mustBeComplete(name string) {
	if b.engine == nil || b.layout.Route == nil || b.layout.RowBytes == 0 || b.fifo == nil || b.plan == nil {
		panic(fmt.Sprintf("loader %s: engine, layout, fifo and plan must be set", name))
	}
}

// RowsPerRequest is the most rows a loader asks for in one request: a
// burst's worth, but at most half its FIFO (so it can keep two requests in
// flight), and at least one.
func RowsPerRequest(l stream.Layout, fifoRows int) int {
	return max(1, min(l.RowsPerBurst(), fifoRows/2))
}
