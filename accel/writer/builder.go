package writer

import (
	"fmt"

	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/accel/stream"
)

// Builder builds writers. Defaults are set in MakeBuilder.
type Builder struct {
	engine sim.Engine
	freq   sim.Freq
	layout stream.Layout
}

// MakeBuilder returns a builder with defaults: 300 MHz.
func MakeBuilder() Builder { return Builder{freq: 300 * sim.MHz} }

// WithEngine sets the simulation engine.
func (b Builder) WithEngine(e sim.Engine) Builder { b.engine = e; return b }

// WithFreq sets the writer's clock.
func (b Builder) WithFreq(f sim.Freq) Builder { b.freq = f; return b }

// WithLayout sets where the output lives and how it is written.
func (b Builder) WithLayout(l stream.Layout) Builder { b.layout = l; return b }

// Build creates the writer.
func (b Builder) Build(name string) *Comp {
	if b.engine == nil || b.layout.Route == nil || b.layout.RowBytes == 0 {
		panic(fmt.Sprintf("writer %s: engine and layout must be set", name))
	}
	c := &Comp{freq: b.freq, layout: b.layout, inflight: map[string]*mem.WriteReq{}}
	c.Component = serial.New(name, b.engine, b.freq, c)
	c.bottomPort = serial.NewPort(c, 64, name+".Bottom")
	c.AddPort("Bottom", c.bottomPort)
	return c
}
