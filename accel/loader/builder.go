package loader

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/stream"
)

// Builder builds loaders. Defaults are set in MakeBuilder.
type Builder struct {
	engine     sim.Engine
	freq       sim.Freq
	rowBytes   int
	elemBytes  int
	rowsPerReq int
	seqLen     int
	base       uint64
	functional bool
	route      func(addr uint64) sim.Port
	fifo       *stream.FIFO
	plan       Plan
	burstBytes int
}

// MakeBuilder returns a builder with defaults: 300 MHz, 128-byte rows of
// 2-byte codes, 16 rows per request, timing only.
func MakeBuilder() Builder {
	return Builder{freq: 300 * sim.MHz, rowBytes: 128, elemBytes: 2, burstBytes: 2048}
}

// WithEngine sets the simulation engine.
func (b Builder) WithEngine(e sim.Engine) Builder { b.engine = e; return b }

// WithFreq sets the loader's clock.
func (b Builder) WithFreq(f sim.Freq) Builder { b.freq = f; return b }

// WithRow sets the row size in bytes and the bytes of one code.
func (b Builder) WithRow(rowBytes, elemBytes int) Builder {
	b.rowBytes, b.elemBytes = rowBytes, elemBytes
	return b
}

// WithBurstBytes sets the request size; a request carries whole rows, at
// most half the FIFO so that the next request can be in flight.
func (b Builder) WithBurstBytes(n int) Builder {
	b.burstBytes = n
	return b
}

// WithTensor sets where the tensor lives: base address and rows per head.
func (b Builder) WithTensor(base uint64, seqLen int) Builder {
	b.base, b.seqLen = base, seqLen
	return b
}

// WithFunctional makes the loader decode the row codes it reads.
func (b Builder) WithFunctional(on bool) Builder { b.functional = on; return b }

// WithRoute sets the function that picks the memory port of an address.
func (b Builder) WithRoute(r func(addr uint64) sim.Port) Builder { b.route = r; return b }

// WithFIFO sets the stream FIFO the loader fills.
func (b Builder) WithFIFO(f *stream.FIFO) Builder { b.fifo = f; return b }

// WithPlan sets the row ranges the loader reads, in stream order.
func (b Builder) WithPlan(p Plan) Builder { b.plan = p; return b }

// Build creates the loader.
func (b Builder) Build(name string) *Comp {
	b.mustBeComplete(name)
	b.rowsPerReq = max(1, min(b.burstBytes/b.rowBytes, b.fifo.Capacity/2))
	c := &Comp{Builder: b, pending: map[string]*request{}}
	c.TickingComponent = sim.NewTickingComponent(name, b.engine, b.freq, c)
	c.Bottom = sim.NewLimitNumMsgPort(c, 64, name+".Bottom")
	c.AddPort("Bottom", c.Bottom)
	return c
}

func (b Builder) mustBeComplete(name string) {
	if b.engine == nil || b.route == nil || b.fifo == nil || b.plan == nil {
		panic(fmt.Sprintf("loader %s: engine, route, fifo and plan must be set", name))
	}
}
