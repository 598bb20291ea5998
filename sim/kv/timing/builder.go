package timing

import (
	"fmt"
	"sync"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim/kv/memtier"
)

// Builder builds the decode timing model.
type Builder struct {
	freq         sim.Freq
	macsPerCycle int
	topKLanes    int
	mergeCycles  int
	finishCycles int
	tiers        [NumTiers]TierSpec
}

// MakeBuilder returns a builder on the card of the embedded default design
// point (dataflow.Default: its clock, 2 x PEs x lanes MACs per cycle, its
// off-chip channels, bandwidth and latency, its host link), with 16 top-k
// lanes, 8 cycles per merge, 16 for the division and a 4 KiB/cycle on-chip
// tier of 2 cycles' latency.
func MakeBuilder() Builder { return defaultBuilder() }

var defaultBuilder = sync.OnceValue(func() Builder {
	d := dataflow.Default()
	f := sim.Freq(d.ClockHz())
	m := d.Memory
	return Builder{
		freq: f, macsPerCycle: 2 * d.HW.PEs * d.HW.VectorWidth, topKLanes: 16, mergeCycles: 8, finishCycles: 16,
		tiers: [NumTiers]TierSpec{
			{Bandwidth: 4096 * float64(f), Latency: 2 / sim.VTimeInSec(f), Channels: 1},
			{Bandwidth: float64(m.Channels) * m.ChannelGBps * 1e9, Latency: sim.VTimeInSec(m.LatencyNs * 1e-9), Channels: m.Channels},
			{Bandwidth: m.HostGBps * 1e9, Latency: sim.VTimeInSec(m.HostLatencyNs * 1e-9), Channels: 1},
		},
	}
})

// WithFreq sets the accelerator clock.
func (b Builder) WithFreq(f sim.Freq) Builder {
	b.freq = f
	return b
}

// WithMACsPerCycle sets the multiply-accumulate rate of attention and
// scoring.
func (b Builder) WithMACsPerCycle(n int) Builder {
	b.macsPerCycle = n
	return b
}

// WithTopKLanes sets how many candidates the top-k/argmin unit takes per
// cycle.
func (b Builder) WithTopKLanes(n int) Builder {
	b.topKLanes = n
	return b
}

// WithMergeCycles sets the cycles of one two-part LSE merge (all heads in
// parallel).
func (b Builder) WithMergeCycles(n int) Builder {
	b.mergeCycles = n
	return b
}

// WithFinishCycles sets the cycles of the final division.
func (b Builder) WithFinishCycles(n int) Builder {
	b.finishCycles = n
	return b
}

// WithTier sets tier i's bandwidth, latency and channels.
func (b Builder) WithTier(i int, t TierSpec) Builder {
	b.tiers[i] = t
	return b
}

// Validate checks the builder's parameters.
func (b Builder) Validate() error {
	switch {
	case !(b.freq > 0):
		return fmt.Errorf("clock %g Hz: must be > 0", float64(b.freq))
	case b.macsPerCycle < 1:
		return fmt.Errorf("macs_per_cycle = %d: must be >= 1", b.macsPerCycle)
	case b.topKLanes < 1:
		return fmt.Errorf("topk_lanes = %d: must be >= 1", b.topKLanes)
	case b.mergeCycles < 0 || b.finishCycles < 0:
		return fmt.Errorf("merge_cycles = %d, finish_cycles = %d: must be >= 0", b.mergeCycles, b.finishCycles)
	}
	for i, t := range b.tiers {
		if !(t.Bandwidth > 0) || t.Channels < 1 || t.Latency < 0 {
			return fmt.Errorf("tier %d: bandwidth %g B/s, channels %d, latency %g s: need bandwidth > 0, channels >= 1, latency >= 0", i, t.Bandwidth, t.Channels, t.Latency)
		}
	}
	return nil
}

// Build returns the model named name: a fresh serial engine, the
// controller and the tiers, wired by one direct connection per tier.
func (b Builder) Build(name string) (*Model, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	engine := sim.NewSerialEngine()
	c := &Controller{
		freq: b.freq, macsPerCycle: b.macsPerCycle, topKLanes: b.topKLanes,
		mergeCycles: b.mergeCycles, finishCycles: b.finishCycles,
	}
	c.TickingComponent = sim.NewTickingComponent(name+".Controller", engine, b.freq, c)
	m := &Model{engine: engine, ctrl: c}
	names := [NumTiers]string{"OnChip", "OffChip", "Host"}
	for i, t := range b.tiers {
		tier := memtier.MakeBuilder().WithEngine(engine).WithFreq(b.freq).
			WithBandwidth(t.Bandwidth).WithLatency(t.Latency).WithChannels(t.Channels).
			Build(name + "." + names[i])
		c.bottom[i] = sim.NewLimitNumMsgPort(c, 16, fmt.Sprintf("%s.Controller.Bottom[%d]", name, i))
		c.AddPort(fmt.Sprintf("Bottom[%d]", i), c.bottom[i])
		c.tierPorts[i] = tier.TopPort()
		c.channels[i] = t.Channels
		conn := sim.NewDirectConnection(fmt.Sprintf("%s.Conn[%d]", name, i), engine, b.freq)
		conn.PlugIn(c.bottom[i], 16)
		conn.PlugIn(c.tierPorts[i], 16)
		m.tiers[i] = tier
	}
	return m, nil
}
