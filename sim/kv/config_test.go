package kv

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

func TestDefaultsAreValidAndComplete(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// The card of dataflow/default.yaml: 8 x 14.375 GB/s at 120 ns, 16 PEs
	// x 16 lanes x 2 units, 300 MHz, a 16 GB/s host link at 1 us.
	if c.HBM.BandwidthGBps != 115 || c.HBM.Channels != 8 || c.HBM.LatencyNs != 120 || c.HBM.InterleaveBytes != 4096 ||
		c.Compute.MACsPerCycle != 512 || c.ClockMHz != 300 || c.Host.BandwidthGBps != 16 || c.Host.LatencyNs != 1000 {
		t.Fatalf("card: %+v", c)
	}
	if c.OnChip.CapacityTokens != 512 || c.Policy.SnapKVWindow != 32 || c.Policy.QuestPage != 16 {
		t.Fatalf("defaults: %+v", c)
	}
	if c.onChipTokens(8, 64) != 512 {
		t.Fatal("capacity_tokens")
	}
	c.OnChip.CapacityBytes = 1 << 20 // 1 MiB / (8 heads x 2 x 64 x 2 B) = 512 tokens
	if c.onChipTokens(8, 64) != 512 {
		t.Fatalf("capacity_bytes: %d tokens", c.onChipTokens(8, 64))
	}
}

func TestLoadConfigMergesFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte("kv:\n  onchip:\n    capacity_tokens: 100\n  host:\n    channels: 4\n"), 0o644)
	t.Setenv("SWATSIM_KV_HOST_CHANNELS", "2")
	c, err := LoadConfig(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.OnChip.CapacityTokens != 100 || c.Host.Channels != 4 || c.HBM.BandwidthGBps != 115 {
		t.Fatalf("file merge: %+v", c)
	}
	if c, err = LoadConfig(path, true); err != nil || c.Host.Channels != 2 {
		t.Fatalf("env override: %v channels, err %v", c.Host.Channels, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ yaml, want string }{
		{"kv:\n  hbm:\n    chanels: 4\n", `unknown key "kv.hbm.chanels"`},
		{"kv:\n  elem_bytes: 0\n", "kv.elem_bytes = 0"},
		{"kv:\n  policy:\n    quest_metadata: dram\n", "allowed: onchip, hbm"},
		{"kv:\n  compute:\n    arith: fixed9\n", "kv.compute.arith"},
		{"kv:\n  hbm:\n    bandwidth_gbps: 100\n", `"kv.hbm.bandwidth_gbps" is the card's, not a kv setting: set the design point's memory.channels x memory.channel_gbps`},
		{"kv:\n  clock_mhz: 450\n", "set the design point's hw.clock_mhz"},
		{"kv: [1, 2\n", "not valid YAML"},
	}
	for i, tc := range cases {
		path := filepath.Join(dir, "c.yaml")
		os.WriteFile(path, []byte(tc.yaml), 0o644)
		_, err := LoadConfig(path, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d: error %v, want %q", i, err, tc.want)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.yaml"), false); err == nil {
		t.Error("missing file accepted")
	}
}

func TestBuilderErrors(t *testing.T) {
	q, k, v := synth(t, 2, 64, 16, 1)
	q2, _, _ := synth(t, 2, 60, 16, 1)
	bad := DefaultConfig()
	bad.HBM.BurstBytes, bad.HBM.InterleaveBytes = 1024, 1024 // a 16-token block of 32-B rows is 512 B
	cases := []struct {
		b    Builder
		q    any
		want string
	}{
		{MakeBuilder().WithPrompt(64), q, "prompt = 64: must be in [1, 63]"},
		{MakeBuilder().WithPrompt(0), q, "prompt = 0"},
		{MakeBuilder().WithSteps(40), q, "steps = 40"},
		{MakeBuilder().WithConfig(bad), q, "not a multiple of burst_bytes"},
		{MakeBuilder(), q2, "shape mismatch"},
	}
	for i, tc := range cases {
		qq := q
		if tc.q == any(q2) {
			qq = q2
		}
		_, err := tc.b.Build(qq, k, v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d: error %v, want %q", i, err, tc.want)
		}
	}
	s, _ := MakeBuilder().Build(q, k, v)
	for _, sp := range []Spec{{"lru", 8}, {"h2o", 0}, {"h2o", 1 << 40}} {
		if _, err := s.Run([]Spec{sp}); err == nil {
			t.Errorf("spec %+v accepted", sp)
		}
	}
	if _, err := s.Run(nil); err == nil {
		t.Error("no specs accepted")
	}
}

// TestCardComesFromTheDesignPoint: the decode model's clock, MACs and
// memory system follow the design point swatsim sim reads.
func TestCardComesFromTheDesignPoint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.yaml")
	os.WriteFile(path, []byte("hw:\n  clock_mhz: 250\n  pes: 8\n  vector_width: 32\nmemory:\n  kind: ddr4\n  channels: 4\n  channel_gbps: 19.2\n  latency_ns: 90\n  interleave_bytes: 256\n  host_gbps: 25\n  host_latency_ns: 800\n"), 0o644)
	d, err := dataflow.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadDesignConfig("", false, d)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClockMHz != 250 || c.Compute.MACsPerCycle != 2*8*32 || c.HBM.Name != "dram" || c.HBM.Channels != 4 ||
		math.Abs(c.HBM.BandwidthGBps-76.8) > 1e-12 || c.HBM.LatencyNs != 90 || c.HBM.InterleaveBytes != 256 ||
		c.Host.BandwidthGBps != 25 || c.Host.LatencyNs != 800 {
		t.Fatalf("card: %+v", c)
	}
	if c.TierNames()[1] != "dram" {
		t.Fatalf("tiers %v", c.TierNames())
	}
	ideal, err := dataflow.Load("", []string{"memory.kind=ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDesignConfig("", false, ideal); err == nil || !strings.Contains(err.Error(), `memory.kind = "ideal"`) {
		t.Fatalf("ideal memory: %v", err)
	}
}

// TestApplyDesignCountsEveryCore: the decode model's compute is every
// core's PEs x lanes, in both of a PE's units.
func TestApplyDesignCountsEveryCore(t *testing.T) {
	for _, cores := range []int{1, 4} {
		d, err := dataflow.Load("", []string{fmt.Sprintf("hw.cores=%d", cores), "hw.pes=8", "hw.vector_width=4"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := LoadDesignConfig("", false, d)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 * 8 * 4 * cores; c.Compute.MACsPerCycle != want {
			t.Errorf("%d cores: %d MACs per cycle, want %d", cores, c.Compute.MACsPerCycle, want)
		}
	}
}

// TestHugeInputsRefused: finite inputs whose logits or norms would
// overflow float64 are an error naming the tensor, not NaN metrics.
func TestHugeInputsRefused(t *testing.T) {
	q := reference.NewTensor(1, 8, 4)
	k := reference.NewTensor(1, 8, 4)
	v := reference.NewTensor(1, 8, 4)
	for i := range q.Data {
		q.Data[i], k.Data[i], v.Data[i] = 1, 1, 1
	}
	if _, err := MakeBuilder().Build(q, k, v); err != nil {
		t.Fatalf("ordinary inputs: %v", err)
	}
	k.Data[5] = 1e200
	if _, err := MakeBuilder().Build(q, k, v); err == nil || !strings.Contains(err.Error(), "k: element 5 is 1e+200") {
		t.Errorf("k holding 1e200: error %v, want one naming k's element 5", err)
	}
}
