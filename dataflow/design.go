package dataflow

import (
	"fmt"
	"strings"

	"github.com/swatsim/swatsim/reference"
)

// Model is the attention layer's shape and mask.
type Model struct {
	Heads        int     `mapstructure:"heads" yaml:"heads" json:"heads"`
	KVHeads      int     `mapstructure:"kv_heads" yaml:"kv_heads" json:"kv_heads"` // K/V heads (GQA/MQA); 0 means heads
	HeadDim      int     `mapstructure:"head_dim" yaml:"head_dim" json:"head_dim"`
	SeqLen       int     `mapstructure:"seq_len" yaml:"seq_len" json:"seq_len"`
	Window       int     `mapstructure:"window" yaml:"window" json:"window"`
	Causal       bool    `mapstructure:"causal" yaml:"causal" json:"causal"`
	GlobalTokens int     `mapstructure:"global_tokens" yaml:"global_tokens" json:"global_tokens"`
	Sinks        int     `mapstructure:"sinks" yaml:"sinks" json:"sinks"`
	Scale        float64 `mapstructure:"scale" yaml:"scale" json:"scale"`
}

// Latency holds the pipeline depths of the core's stages, in cycles.
type Latency struct {
	Score int `mapstructure:"score" yaml:"score" json:"score"` // dot product -> logit register
	Exp   int `mapstructure:"exp" yaml:"exp" json:"exp"`       // logit -> (p, alpha) registers, max included
	Acc   int `mapstructure:"acc" yaml:"acc" json:"acc"`       // accumulator update acc*alpha + p*v, stages of the SV lane
	Norm  int `mapstructure:"norm" yaml:"norm" json:"norm"`    // output multiply o = acc*r (product, rounding, saturation)
	Recip int `mapstructure:"recip" yaml:"recip" json:"recip"` // reciprocal start (leading one, normalisation); Lr = recip_bits + 1 + recip
}

// Hardware is the accelerator's compute and on-chip memory budget.
type Hardware struct {
	ClockMHz    float64 `mapstructure:"clock_mhz" yaml:"clock_mhz" json:"clock_mhz"`
	PEs         int     `mapstructure:"pes" yaml:"pes" json:"pes"`                            // query rows in flight
	VectorWidth int     `mapstructure:"vector_width" yaml:"vector_width" json:"vector_width"` // MAC lanes per PE and per dot/SV unit
	Latency     Latency `mapstructure:"latency" yaml:"latency" json:"latency"`
	KVBufRows   int     `mapstructure:"kv_buffer_rows" yaml:"kv_buffer_rows" json:"kv_buffer_rows"`             // ring depth in K/V rows (0: the minimum)
	PinnedRows  int     `mapstructure:"pinned_buffer_rows" yaml:"pinned_buffer_rows" json:"pinned_buffer_rows"` // global/sink key rows held (0: the minimum)
	FIFORows    int     `mapstructure:"stream_fifo_rows" yaml:"stream_fifo_rows" json:"stream_fifo_rows"`       // loader prefetch depth per stream
	BurstBytes  int     `mapstructure:"burst_bytes" yaml:"burst_bytes" json:"burst_bytes"`                      // loader request size
	Cores       int     `mapstructure:"cores" yaml:"cores" json:"cores"`                                        // identical attention cores sharing the memory
	KeyTile     int     `mapstructure:"key_tile" yaml:"key_tile" json:"key_tile"`                               // flash key-tile rows (0: pes)
	Overlap     bool    `mapstructure:"overlap" yaml:"overlap" json:"overlap"`                                  // staggered, double-buffered phases
	BufferMem   string  `mapstructure:"buffer_memory" yaml:"buffer_memory" json:"buffer_memory"`                // K/V ring and pinned buffers: bram or uram
}

// Memory is the off-chip memory the loaders read and the writer writes.
type Memory struct {
	Kind          string  `mapstructure:"kind" yaml:"kind" json:"kind"`    // hbm2, ddr4 or ideal
	Model         string  `mapstructure:"model" yaml:"model" json:"model"` // bandwidth (event-sparse) or dram (Akita's cycle-level DRAM)
	Channels      int     `mapstructure:"channels" yaml:"channels" json:"channels"`
	ChannelGBps   float64 `mapstructure:"channel_gbps" yaml:"channel_gbps" json:"channel_gbps"` // per channel, GB/s (1e9 B/s)
	LatencyNs     float64 `mapstructure:"latency_ns" yaml:"latency_ns" json:"latency_ns"`
	InterleaveB   int     `mapstructure:"interleave_bytes" yaml:"interleave_bytes" json:"interleave_bytes"`
	HostGBps      float64 `mapstructure:"host_gbps" yaml:"host_gbps" json:"host_gbps"` // PCIe-like link for host-resident tensors
	HostLatencyNs float64 `mapstructure:"host_latency_ns" yaml:"host_latency_ns" json:"host_latency_ns"`
}

// Design is one design point: everything the reference, the cycle model
// and the Verilog generator need.
type Design struct {
	Name   string   `mapstructure:"name" yaml:"name" json:"name"`
	Device string   `mapstructure:"device" yaml:"device" json:"device"` // a catalogue card (devices.go) or custom
	Arch   string   `mapstructure:"arch" yaml:"arch" json:"arch"`       // swat, dense or flash
	Arith  string   `mapstructure:"arith" yaml:"arith" json:"arith"`    // a reference preset or custom:k=v,...
	Model  Model    `mapstructure:"model" yaml:"model" json:"model"`
	HW     Hardware `mapstructure:"hw" yaml:"hw" json:"hw"`
	Memory Memory   `mapstructure:"memory" yaml:"memory" json:"memory"`
	Energy Energy   `mapstructure:"energy" yaml:"energy" json:"energy"`
}

// Arch names.
const (
	ArchSWAT  = "swat"
	ArchDense = "dense"
	ArchFlash = "flash"
)

// Mask is the design point's attention mask.
func (d *Design) Mask() reference.Mask {
	m := d.Model
	return reference.Mask{N: m.SeqLen, Window: m.Window, Causal: m.Causal, Global: m.GlobalTokens, Sinks: m.Sinks}
}

// ArithSpec parses the design point's arithmetic.
func (d *Design) ArithSpec() (reference.Arith, error) {
	a, err := reference.ParseArith(d.Arith)
	if err != nil {
		return a, fmt.Errorf("arith: %w", err)
	}
	return a, nil
}

// KVHeads is the number of K/V heads: model.kv_heads, or model.heads
// when it is 0.
func (d *Design) KVHeads() int {
	if d.Model.KVHeads > 0 {
		return d.Model.KVHeads
	}
	return d.Model.Heads
}

// GroupSize is the number of query heads sharing one K/V head.
func (d *Design) GroupSize() int { return d.Model.Heads / d.KVHeads() }

// KeyTile is the flash baseline's key-tile rows: hw.key_tile, or hw.pes
// when it is 0.
func (d *Design) KeyTile() int {
	if d.HW.KeyTile > 0 {
		return d.HW.KeyTile
	}
	return d.HW.PEs
}

// Slices is C = head_dim / vector_width, the cycles one key occupies the
// dot-product (and the SV) unit.
func (d *Design) Slices() int { return d.Model.HeadDim / d.HW.VectorWidth }

// ClockHz is the core clock in Hz.
func (d *Design) ClockHz() float64 { return d.HW.ClockMHz * 1e6 }

// Validate resolves the device defaults (memory fields and static power
// left at 0 take the catalogue card's values, see devices.go), then checks
// every field and returns the first violation, naming the field and its
// allowed range.
func (d *Design) Validate() error {
	for _, f := range []func() error{d.resolveDevice, d.validateArch, d.validateModel, d.validateHW, d.validateMemory, d.Energy.validate} {
		if err := f(); err != nil {
			return err
		}
	}
	return d.validateBuffers()
}

func (d *Design) validateArch() error {
	if d.Arch != ArchSWAT && d.Arch != ArchDense && d.Arch != ArchFlash {
		return fmt.Errorf("arch = %q: must be one of swat, dense, flash", d.Arch)
	}
	a, err := d.ArithSpec()
	if err != nil {
		return err
	}
	if a.Float {
		return fmt.Errorf("arith = %q: the accelerator needs a fixed-point arithmetic (one of %s or custom:...)",
			d.Arith, strings.Join(fixedPresets(), ", "))
	}
	return nil
}

func fixedPresets() []string {
	var out []string
	for _, n := range reference.PresetNames() {
		if a, _ := reference.Preset(n); !a.Float {
			out = append(out, n)
		}
	}
	return out
}

func (d *Design) validateModel() error {
	m := d.Model
	checks := []intRange{
		{"model.heads", m.Heads, 1, 1 << 12},
		{"model.kv_heads", m.KVHeads, 0, m.Heads},
		{"model.head_dim", m.HeadDim, 1, 4096},
		{"model.seq_len", m.SeqLen, 1, 1 << 24},
		{"model.window", m.Window, 0, 1 << 24},
		{"model.global_tokens", m.GlobalTokens, 0, m.SeqLen},
		{"model.sinks", m.Sinks, 0, m.SeqLen},
	}
	if err := checkRanges(checks); err != nil {
		return err
	}
	if m.KVHeads > 0 && m.Heads%m.KVHeads != 0 {
		return fmt.Errorf("model.kv_heads = %d: must divide model.heads = %d (each K/V head serves heads/kv_heads query heads)", m.KVHeads, m.Heads)
	}
	if m.Causal && m.Window < 1 {
		return fmt.Errorf("model.window = %d: a causal window must be in [1, %d]", m.Window, 1<<24)
	}
	if m.Scale < 0 {
		return fmt.Errorf("model.scale = %g: must be >= 0 (0 means 1/sqrt(head_dim))", m.Scale)
	}
	a, _ := d.ArithSpec()
	if err := a.CheckHeadDim(m.HeadDim); err != nil {
		return fmt.Errorf("model.%w", err)
	}
	_, err := reference.NewKernel(a, m.HeadDim, m.Scale)
	if err != nil {
		return fmt.Errorf("model.scale: %w", err)
	}
	return nil
}

func (d *Design) validateHW() error {
	h := d.HW
	checks := []intRange{
		{"hw.pes", h.PEs, 1, 1024},
		{"hw.vector_width", h.VectorWidth, 1, d.Model.HeadDim},
		{"hw.latency.score", h.Latency.Score, 1, 64},
		{"hw.latency.exp", h.Latency.Exp, 1, 64},
		{"hw.latency.acc", h.Latency.Acc, 1, 8},
		{"hw.latency.norm", h.Latency.Norm, 1, 8},
		{"hw.latency.recip", h.Latency.Recip, 1, 2},
		{"hw.kv_buffer_rows", h.KVBufRows, 0, 1 << 24},
		{"hw.pinned_buffer_rows", h.PinnedRows, 0, 1 << 24},
		{"hw.stream_fifo_rows", h.FIFORows, 1, 1 << 20},
		{"hw.burst_bytes", h.BurstBytes, 64, 1 << 20},
		{"hw.cores", h.Cores, 1, 1024},
	}
	if err := checkRanges(checks); err != nil {
		return err
	}
	if d.Model.HeadDim%h.VectorWidth != 0 {
		return fmt.Errorf("hw.vector_width = %d: must divide model.head_dim = %d", h.VectorWidth, d.Model.HeadDim)
	}
	if h.KeyTile < 0 || h.KeyTile > 1<<24 {
		return fmt.Errorf("hw.key_tile = %d: must be in [1, %d] (0 selects hw.pes)", h.KeyTile, 1<<24)
	}
	if h.BufferMem != "bram" && h.BufferMem != "uram" {
		return fmt.Errorf("hw.buffer_memory = %q: must be one of bram, uram", h.BufferMem)
	}
	if h.ClockMHz <= 0 || h.ClockMHz > 5000 {
		return fmt.Errorf("hw.clock_mhz = %g: must be in (0, 5000]", h.ClockMHz)
	}
	return nil
}

func (d *Design) validateMemory() error {
	m := d.Memory
	switch m.Kind {
	case "hbm2", "ddr4", "ideal":
	default:
		return fmt.Errorf("memory.kind = %q: must be one of hbm2, ddr4, ideal", m.Kind)
	}
	if m.Model != "bandwidth" && m.Model != "dram" {
		return fmt.Errorf("memory.model = %q: must be one of bandwidth, dram", m.Model)
	}
	if m.Model == "dram" && m.Kind == "ideal" {
		return fmt.Errorf("memory.model = dram: needs memory.kind hbm2 or ddr4, not ideal")
	}
	if m.Channels < 0 || m.Channels > 256 {
		return fmt.Errorf("memory.channels = %d: must be 0 (the device's) or in [1, 256]", m.Channels)
	}
	if err := checkRanges([]intRange{
		{"memory.interleave_bytes", m.InterleaveB, 64, 1 << 20},
	}); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"memory.channel_gbps", m.ChannelGBps}, {"memory.host_gbps", m.HostGBps}} {
		if f.v <= 0 || f.v > 1e5 {
			return fmt.Errorf("%s = %g: must be 0 (the device's) or in (0, 100000]", f.name, f.v)
		}
	}
	if m.LatencyNs < 0 || m.LatencyNs > 1e6 || m.HostLatencyNs < 0 || m.HostLatencyNs > 1e7 {
		return fmt.Errorf("memory.latency_ns = %g, memory.host_latency_ns = %g: must be in [0, 1e6] and [0, 1e7]", m.LatencyNs, m.HostLatencyNs)
	}
	return nil
}

// validateBuffers checks that the on-chip buffers hold what the schedule
// needs.
func (d *Design) validateBuffers() error {
	if d.HW.KVBufRows != 0 {
		if need := d.Requirements().KVBufRows; d.HW.KVBufRows < need {
			return fmt.Errorf("hw.kv_buffer_rows = %d: the window (model.window = %d, hw.pes = %d, %s) needs at least %d rows",
				d.HW.KVBufRows, d.Model.Window, d.HW.PEs, causalWord(d.Model.Causal), need)
		}
	}
	if need := d.minPinned(); d.HW.PinnedRows != 0 && d.HW.PinnedRows < need {
		return fmt.Errorf("hw.pinned_buffer_rows = %d: global_tokens/sinks need at least %d rows", d.HW.PinnedRows, need)
	}
	return nil
}

func causalWord(c bool) string {
	if c {
		return "causal"
	}
	return "bidirectional"
}

type intRange struct {
	name   string
	v      int
	lo, hi int
}

func checkRanges(cs []intRange) error {
	for _, c := range cs {
		if c.v < c.lo || c.v > c.hi {
			return fmt.Errorf("%s = %d: must be in [%d, %d]", c.name, c.v, c.lo, c.hi)
		}
	}
	return nil
}
