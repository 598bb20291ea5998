package bwmem

import (
	"fmt"

	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/mem/channel"
)

// Builder builds bandwidth memory controllers; defaults in MakeBuilder.
type Builder struct {
	engine     sim.Engine
	freq       sim.Freq
	channels   int
	bytesPerS  float64 // per channel
	latency    sim.VTimeInSec
	interleave uint64
	storage    *mem.Storage
}

// MakeBuilder returns a builder for one 14.375 GB/s channel with 120 ns
// latency and 4 KiB interleaving, ticking at 1 GHz, without storage.
func MakeBuilder() Builder {
	return Builder{freq: 1 * sim.GHz, channels: 1, bytesPerS: 14.375e9, latency: 120e-9, interleave: 4096}
}

// WithEngine sets the engine.
func (b Builder) WithEngine(e sim.Engine) Builder { b.engine = e; return b }

// WithFreq sets the frequency at which requests are taken.
func (b Builder) WithFreq(f sim.Freq) Builder { b.freq = f; return b }

// WithChannels sets the channel count and each channel's bandwidth (B/s);
// math.Inf(1) makes transfers take no time.
func (b Builder) WithChannels(n int, bytesPerS float64) Builder {
	b.channels, b.bytesPerS = n, bytesPerS
	return b
}

// WithLatency sets the fixed access latency in seconds.
func (b Builder) WithLatency(t float64) Builder { b.latency = sim.VTimeInSec(t); return b }

// WithInterleave sets the address interleaving granule in bytes.
func (b Builder) WithInterleave(n uint64) Builder { b.interleave = n; return b }

// WithStorage makes the controller keep data (functional mode).
func (b Builder) WithStorage(s *mem.Storage) Builder { b.storage = s; return b }

// Build creates the controller.
func (b Builder) Build(name string) *Comp {
	if b.engine == nil || b.channels < 1 || b.interleave == 0 {
		panic(fmt.Sprintf("bwmem %s: engine, channels >= 1 and interleave > 0 must be set", name))
	}
	c := &Comp{
		freq:       b.freq,
		latency:    b.latency,
		interleave: b.interleave,
		storage:    b.storage,
		booked:     channel.NewSet(b.channels, b.bytesPerS),
		bytesPerS:  b.bytesPerS,
		chanBytes:  make([]uint64, b.channels),
		chainStart: make([]sim.VTimeInSec, b.channels),
		chainEnd:   make([]sim.VTimeInSec, b.channels),
	}
	c.Component = serial.New(name, b.engine, b.freq, c)
	c.topPort = serial.NewPort(c, 256, name+".Top")
	c.AddPort("Top", c.topPort)
	return c
}
