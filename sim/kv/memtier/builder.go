package memtier

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/mem/channel"
)

// Builder builds memory tiers.
type Builder struct {
	engine     sim.Engine
	freq       sim.Freq
	bandwidth  float64 // bytes per second, all channels together
	latency    sim.VTimeInSec
	channels   int
	topBufSize int
}

// MakeBuilder returns a builder with the defaults: 1 GHz control clock,
// 100 GB/s over 1 channel, 100 ns latency, a 16-message top buffer.
func MakeBuilder() Builder {
	return Builder{freq: 1 * sim.GHz, bandwidth: 100e9, latency: 100e-9, channels: 1, topBufSize: 16}
}

// WithEngine sets the engine.
func (b Builder) WithEngine(e sim.Engine) Builder {
	b.engine = e
	return b
}

// WithFreq sets the clock at which the tier accepts requests.
func (b Builder) WithFreq(f sim.Freq) Builder {
	b.freq = f
	return b
}

// WithBandwidth sets the total bandwidth in bytes per second.
func (b Builder) WithBandwidth(bytesPerSec float64) Builder {
	b.bandwidth = bytesPerSec
	return b
}

// WithLatency sets the access latency added once per transfer.
func (b Builder) WithLatency(t sim.VTimeInSec) Builder {
	b.latency = t
	return b
}

// WithChannels sets the number of channels sharing the bandwidth equally.
func (b Builder) WithChannels(n int) Builder {
	b.channels = n
	return b
}

// WithTopBufSize sets the capacity of the top port.
func (b Builder) WithTopBufSize(n int) Builder {
	b.topBufSize = n
	return b
}

// Build returns a tier named name; it panics on an invalid builder, since
// callers validate their configuration before building.
func (b Builder) Build(name string) *Comp {
	b.mustBeValid()
	c := &Comp{
		latency:  b.latency,
		channels: channel.NewSet(b.channels, b.bandwidth/float64(b.channels)),
	}
	c.TickingComponent = sim.NewTickingComponent(name, b.engine, b.freq, c)
	c.topPort = sim.NewLimitNumMsgPort(c, b.topBufSize, name+".TopPort")
	c.AddPort("Top", c.topPort)
	return c
}

func (b Builder) mustBeValid() {
	switch {
	case b.engine == nil:
		panic("memtier: no engine")
	case !(b.bandwidth > 0):
		panic(fmt.Sprintf("memtier: bandwidth %g B/s must be > 0", b.bandwidth))
	case b.channels < 1:
		panic(fmt.Sprintf("memtier: channels %d must be >= 1", b.channels))
	case b.latency < 0:
		panic(fmt.Sprintf("memtier: latency %g s must be >= 0", b.latency))
	}
}
