package kv

import (
	"fmt"
	"math"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/paged"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// Config is the memory hierarchy, the hardware and the policy
// hyperparameters of the decode model. The kv-only settings are the kv.
// keys of the YAML config; the card (clock, MACs, the off-chip memory and
// the host link) comes from the dataflow design point (ApplyDesign), the
// same one `swatsim sim` reads, and its fields here carry no mapstructure
// key.
type Config struct {
	ElemBytes float64       `mapstructure:"elem_bytes" json:"elem_bytes"`
	ClockMHz  float64       `mapstructure:"-" json:"clock_mhz"` // hw.clock_mhz
	Scale     float64       `mapstructure:"scale" json:"scale"`
	Layout    LayoutConfig  `mapstructure:"layout" json:"layout"`
	OnChip    OnChipConfig  `mapstructure:"onchip" json:"onchip"`
	HBM       TierConfig    `mapstructure:"hbm" json:"hbm"`
	Host      TierConfig    `mapstructure:"host" json:"host"`
	Compute   ComputeConfig `mapstructure:"compute" json:"compute"`
	Policy    PolicyConfig  `mapstructure:"policy" json:"policy"`
	Metrics   MetricsConfig `mapstructure:"metrics" json:"metrics"`
}

// LayoutConfig is the paged layout of the off-chip tiers.
type LayoutConfig struct {
	BlockTokens int    `mapstructure:"block_tokens" json:"block_tokens"`
	Gather      string `mapstructure:"gather" json:"gather"` // burst or block
}

// OnChipConfig is the on-chip KV buffer.
type OnChipConfig struct {
	CapacityTokens int   `mapstructure:"capacity_tokens" json:"capacity_tokens"`
	CapacityBytes  int64 `mapstructure:"capacity_bytes" json:"capacity_bytes"`
	BytesPerCycle  int   `mapstructure:"bytes_per_cycle" json:"bytes_per_cycle"`
	LatencyCycles  int   `mapstructure:"latency_cycles" json:"latency_cycles"`
}

// TierConfig is an off-chip tier: HBM/DDR or host memory over a link.
// Name, bandwidth, latency and (HBM/DDR) channels and interleaving come
// from the design point; burst size, hashing and capacity are kv-only.
type TierConfig struct {
	Name            string  `mapstructure:"-" json:"name"`
	BandwidthGBps   float64 `mapstructure:"-" json:"bandwidth_gbps"`
	LatencyNs       float64 `mapstructure:"-" json:"latency_ns"`
	Channels        int     `mapstructure:"channels" json:"channels"` // host: kv.host.channels; hbm: memory.channels
	BurstBytes      int     `mapstructure:"burst_bytes" json:"burst_bytes"`
	InterleaveBytes int     `mapstructure:"interleave_bytes" json:"interleave_bytes"` // host: kv.host.interleave_bytes; hbm: memory.interleave_bytes
	ChannelHash     bool    `mapstructure:"channel_hash" json:"channel_hash"`
	CapacityBytes   int64   `mapstructure:"capacity_bytes" json:"capacity_bytes"`
}

// ComputeConfig is the accelerator's compute.
type ComputeConfig struct {
	MACsPerCycle int    `mapstructure:"-" json:"macs_per_cycle"` // 2 x hw.pes x hw.vector_width
	TopKLanes    int    `mapstructure:"topk_lanes" json:"topk_lanes"`
	MergeCycles  int    `mapstructure:"merge_cycles" json:"merge_cycles"`
	FinishCycles int    `mapstructure:"finish_cycles" json:"finish_cycles"`
	Arith        string `mapstructure:"arith" json:"arith"`
}

// PolicyConfig holds the policies' hyperparameters.
type PolicyConfig struct {
	Sinks         int     `mapstructure:"sinks" json:"sinks"`
	H2ORecent     float64 `mapstructure:"h2o_recent" json:"h2o_recent"`
	SnapKVWindow  int     `mapstructure:"snapkv_window" json:"snapkv_window"`
	SnapKVKernel  int     `mapstructure:"snapkv_kernel" json:"snapkv_kernel"`
	QuestPage     int     `mapstructure:"quest_page" json:"quest_page"`
	QuestMetadata string  `mapstructure:"quest_metadata" json:"quest_metadata"`
	CAOTEBufferV  bool    `mapstructure:"caote_buffer_v" json:"caote_buffer_v"`

	KIVIBits         int     `mapstructure:"kivi_bits" json:"kivi_bits"`
	KIVIGroup        int     `mapstructure:"kivi_group" json:"kivi_group"`
	KIVIResidual     int     `mapstructure:"kivi_residual" json:"kivi_residual"`
	PQM              int     `mapstructure:"pq_m" json:"pq_m"`
	PQBits           int     `mapstructure:"pq_bits" json:"pq_bits"`
	PQResidual       int     `mapstructure:"pq_residual" json:"pq_residual"`
	PQIters          int     `mapstructure:"pq_iters" json:"pq_iters"`
	PQSeed           uint64  `mapstructure:"pq_seed" json:"pq_seed"`
	ShadowKVRank     int     `mapstructure:"shadowkv_rank" json:"shadowkv_rank"`
	ShadowKVChunk    int     `mapstructure:"shadowkv_chunk" json:"shadowkv_chunk"`
	ShadowKVOutliers int     `mapstructure:"shadowkv_outliers" json:"shadowkv_outliers"`
	ShadowKVRecent   int     `mapstructure:"shadowkv_recent" json:"shadowkv_recent"`
	RoPEBase         float64 `mapstructure:"rope_base" json:"rope_base"`
	MoBABlock        int     `mapstructure:"moba_block" json:"moba_block"`
	DuoRetrievalFrac float64 `mapstructure:"duo_retrieval_frac" json:"duo_retrieval_frac"`
	DuoCalibQueries  int     `mapstructure:"duo_calib_queries" json:"duo_calib_queries"`
}

// MetricsConfig holds the metrics' parameters.
type MetricsConfig struct {
	RecallK int `mapstructure:"recall_k" json:"recall_k"`
}

// ApplyDesign takes the card from a dataflow design point: the clock
// (hw.clock_mhz), the multiply-accumulates per cycle (hw.pes PEs of
// hw.vector_width lanes in each of the QK and SV units: 2 x pes x
// vector_width), the off-chip memory (memory.kind names the tier: hbm2 ->
// hbm, ddr4 -> dram; memory.channels x memory.channel_gbps, memory.latency_ns,
// memory.interleave_bytes) and the host link (memory.host_gbps,
// memory.host_latency_ns). memory.kind ideal has no finite bandwidth for
// the decode model and is an error.
func (c *Config) ApplyDesign(d *dataflow.Design) error {
	m := d.Memory
	names := map[string]string{"hbm2": "hbm", "ddr4": "dram"}
	name, ok := names[m.Kind]
	if !ok {
		return fmt.Errorf("memory.kind = %q: the decode model (swatsim kv) needs a finite off-chip bandwidth: use hbm2 or ddr4", m.Kind)
	}
	c.ClockMHz = d.HW.ClockMHz
	c.Compute.MACsPerCycle = 2 * d.HW.PEs * d.HW.VectorWidth * max(d.HW.Cores, 1)
	c.HBM.Name, c.HBM.Channels = name, m.Channels
	c.HBM.BandwidthGBps, c.HBM.LatencyNs, c.HBM.InterleaveBytes = float64(m.Channels)*m.ChannelGBps, m.LatencyNs, m.InterleaveB
	c.Host.Name, c.Host.BandwidthGBps, c.Host.LatencyNs = "host", m.HostGBps, m.HostLatencyNs
	return c.Validate()
}

// Validate checks the configuration and names the first key out of range.
func (c Config) Validate() error {
	checks := []struct {
		ok  bool
		msg string
	}{
		{c.elemBitsOK(), fmt.Sprintf("kv.elem_bytes = %g: must be a whole number of bits (elem_bytes x 8) in [1, 64], e.g. 0.25 for 2 bits, 2 for fp16", c.ElemBytes)},
		{c.ClockMHz > 0 && !math.IsInf(c.ClockMHz, 0), fmt.Sprintf("kv.clock_mhz = %g: must be > 0", c.ClockMHz)},
		{c.Scale >= 0, fmt.Sprintf("kv.scale = %g: must be >= 0 (0 = 1/sqrt(head_dim))", c.Scale)},
		{c.Layout.BlockTokens >= 1, fmt.Sprintf("kv.layout.block_tokens = %d: must be >= 1", c.Layout.BlockTokens)},
		{c.Layout.Gather == "burst" || c.Layout.Gather == "block", fmt.Sprintf("kv.layout.gather = %q: allowed: burst, block", c.Layout.Gather)},
		{c.OnChip.CapacityTokens >= 0 && c.OnChip.CapacityBytes >= 0, fmt.Sprintf("kv.onchip capacity (%d tokens, %d bytes): must be >= 0", c.OnChip.CapacityTokens, c.OnChip.CapacityBytes)},
		{c.OnChip.BytesPerCycle >= 1, fmt.Sprintf("kv.onchip.bytes_per_cycle = %d: must be >= 1", c.OnChip.BytesPerCycle)},
		{c.OnChip.LatencyCycles >= 0, fmt.Sprintf("kv.onchip.latency_cycles = %d: must be >= 0", c.OnChip.LatencyCycles)},
		{c.HBM.Name == "hbm" || c.HBM.Name == "dram", fmt.Sprintf("off-chip tier name %q (from the design's memory.kind): allowed: hbm, dram", c.HBM.Name)},
		{c.Host.Name == "host", fmt.Sprintf("host tier name %q: allowed: host", c.Host.Name)},
		{c.Compute.MACsPerCycle >= 1, fmt.Sprintf("kv.compute.macs_per_cycle = %d: must be >= 1", c.Compute.MACsPerCycle)},
		{c.Compute.TopKLanes >= 1, fmt.Sprintf("kv.compute.topk_lanes = %d: must be >= 1", c.Compute.TopKLanes)},
		{c.Compute.MergeCycles >= 0 && c.Compute.FinishCycles >= 0, "kv.compute.merge_cycles and finish_cycles: must be >= 0"},
		{c.Policy.QuestMetadata == "onchip" || c.Policy.QuestMetadata == "hbm", fmt.Sprintf("kv.policy.quest_metadata = %q: allowed: onchip, hbm", c.Policy.QuestMetadata)},
		{c.Policy.Sinks >= 0, fmt.Sprintf("kv.policy.sinks = %d: must be >= 0", c.Policy.Sinks)},
		{c.Metrics.RecallK >= 1, fmt.Sprintf("kv.metrics.recall_k = %d: must be >= 1", c.Metrics.RecallK)},
	}
	for _, ck := range checks {
		if !ck.ok {
			return fmt.Errorf("%s", ck.msg)
		}
	}
	for _, t := range []struct {
		key string
		c   TierConfig
	}{{"kv.hbm", c.HBM}, {"kv.host", c.Host}} {
		if err := t.c.validate(t.key); err != nil {
			return err
		}
	}
	if c.Compute.Arith != "float64" {
		if _, err := reference.Preset(c.Compute.Arith); err != nil {
			return fmt.Errorf("kv.compute.arith: %w", err)
		}
	}
	return nil
}

func (t TierConfig) validate(key string) error {
	switch {
	case !(t.BandwidthGBps > 0) || math.IsInf(t.BandwidthGBps, 0):
		return fmt.Errorf("%s bandwidth = %g GB/s (from the design point's memory.*): must be > 0 and finite", key, t.BandwidthGBps)
	case !(t.LatencyNs >= 0) || math.IsInf(t.LatencyNs, 0):
		return fmt.Errorf("%s latency = %g ns (from the design point's memory.*): must be >= 0 and finite", key, t.LatencyNs)
	case t.CapacityBytes < 0:
		return fmt.Errorf("%s.capacity_bytes = %d: must be >= 0", key, t.CapacityBytes)
	}
	return nil
}

// elemBitsOK reports whether elem_bytes is a whole number of bits in [1, 64].
func (c Config) elemBitsOK() bool {
	b := c.ElemBytes * 8
	return b >= 1 && b <= 64 && b == math.Trunc(b)
}

// ElemBits is the bits of one K/V element.
func (c Config) ElemBits() int64 { return int64(c.ElemBytes * 8) }

// rowBytes is the bytes of one K or V row of d elements; checkRow makes
// sure it is whole.
func (c Config) rowBytes(d int) int64 { return int64(d) * c.ElemBits() / 8 }

// checkRow reports whether a row of d elements is a whole number of bytes.
func (c Config) checkRow(d int) error {
	if int64(d)*c.ElemBits()%8 != 0 {
		return fmt.Errorf("kv.elem_bytes = %g with head dim %d: a K/V row of %d bits is not a whole number of bytes; choose elem_bytes so that head_dim x elem_bytes x 8 is a multiple of 8", c.ElemBytes, d, int64(d)*c.ElemBits())
	}
	return nil
}

// policyParams returns the policies' parameters for a budget.
func (c Config) policyParams(budget int) policy.Params {
	pc := c.Policy
	return policy.Params{
		Budget: budget, Sinks: pc.Sinks, H2ORecent: pc.H2ORecent,
		SnapWindow: pc.SnapKVWindow, SnapKernel: pc.SnapKVKernel, QuestPage: pc.QuestPage,
		Scale: c.Scale, Seed: pc.PQSeed, ElemBits: c.ElemBits(),
		KIVIBits: pc.KIVIBits, KIVIGroup: pc.KIVIGroup, KIVIResidual: pc.KIVIResidual,
		PQM: pc.PQM, PQBits: pc.PQBits, PQResidual: pc.PQResidual, PQIters: pc.PQIters,
		ShadowRank: pc.ShadowKVRank, ShadowChunk: pc.ShadowKVChunk, ShadowOutliers: pc.ShadowKVOutliers,
		ShadowRecent: pc.ShadowKVRecent, RoPEBase: pc.RoPEBase,
		MoBABlock: pc.MoBABlock, DuoRetrievalFrac: pc.DuoRetrievalFrac, DuoCalibQueries: pc.DuoCalibQueries,
	}
}

// freq is the accelerator clock.
func (c Config) freq() sim.Freq { return sim.Freq(c.ClockMHz * 1e6) }

// tokenBytes is the K+V footprint of one token over all heads.
func (c Config) tokenBytes(heads, d int) int64 {
	return int64(heads) * 2 * c.rowBytes(d)
}

// onChipTokens is the on-chip capacity in tokens per head.
func (c Config) onChipTokens(heads, d int) int {
	if c.OnChip.CapacityBytes > 0 {
		return int(c.OnChip.CapacityBytes / c.tokenBytes(heads, d))
	}
	return c.OnChip.CapacityTokens
}

// tierTokens is an off-chip tier's capacity in tokens per head.
func (c Config) tierTokens(t TierConfig, heads, d int) int64 {
	return t.CapacityBytes / c.tokenBytes(heads, d)
}

// geometry is the paged layout of an off-chip tier for head dimension d.
func (c Config) geometry(t TierConfig, d int) paged.Geometry {
	return paged.Geometry{
		RowBytes: int(c.rowBytes(d)), BlockTokens: c.Layout.BlockTokens, BurstBytes: t.BurstBytes,
		InterleaveBytes: t.InterleaveBytes, Channels: t.Channels, WholeBlocks: c.Layout.Gather == "block",
		ChannelHash: t.ChannelHash,
	}
}

// timingBuilder is the cycle model of the configuration.
func (c Config) timingBuilder() timing.Builder {
	f := c.freq()
	tier := func(t TierConfig) timing.TierSpec {
		return timing.TierSpec{Bandwidth: t.BandwidthGBps * 1e9, Latency: sim.VTimeInSec(t.LatencyNs * 1e-9), Channels: t.Channels}
	}
	return timing.MakeBuilder().WithFreq(f).WithMACsPerCycle(c.Compute.MACsPerCycle).
		WithTopKLanes(c.Compute.TopKLanes).WithMergeCycles(c.Compute.MergeCycles).
		WithFinishCycles(c.Compute.FinishCycles).
		WithTier(timing.OnChip, timing.TierSpec{
			Bandwidth: float64(c.OnChip.BytesPerCycle) * float64(f),
			Latency:   sim.VTimeInSec(float64(c.OnChip.LatencyCycles) / float64(f)), Channels: 1,
		}).
		WithTier(timing.OffChip, tier(c.HBM)).
		WithTier(timing.Host, tier(c.Host))
}

// TierNames are the report names of the tiers, in timing's order.
func (c Config) TierNames() [timing.NumTiers]string {
	return [timing.NumTiers]string{"onchip", c.HBM.Name, c.Host.Name}
}
