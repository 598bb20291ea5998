package kv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsAreValidAndComplete(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.HBM.BandwidthGBps != 460 || c.OnChip.CapacityTokens != 512 || c.Policy.SnapKVWindow != 32 || c.Policy.QuestPage != 16 {
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
	os.WriteFile(path, []byte("kv:\n  clock_mhz: 450\n  hbm:\n    channels: 16\n"), 0o644)
	t.Setenv("SWATSIM_KV_HBM_CHANNELS", "8")
	c, err := LoadConfig(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClockMHz != 450 || c.HBM.Channels != 16 || c.HBM.BandwidthGBps != 460 {
		t.Fatalf("file merge: %+v", c)
	}
	if c, err = LoadConfig(path, true); err != nil || c.HBM.Channels != 8 {
		t.Fatalf("env override: %v channels, err %v", c.HBM.Channels, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ yaml, want string }{
		{"kv:\n  hbm:\n    chanels: 4\n", `unknown key "kv.hbm.chanels"`},
		{"kv:\n  elem_bytes: 0\n", "kv.elem_bytes = 0"},
		{"kv:\n  policy:\n    quest_metadata: dram\n", "allowed: onchip, hbm"},
		{"kv:\n  compute:\n    arith: fixed9\n", "kv.compute.arith"},
		{"kv:\n  hbm:\n    bandwidth_gbps: -1\n", "kv.hbm.bandwidth_gbps"},
		{"kv: [1, 2\n", "config"},
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

func TestWriteJSONIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := WriteJSON(path, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"a": 1`) {
		t.Fatalf("content %q", b)
	}
	if err := WriteJSON(path, func() {}); err == nil { // not encodable
		t.Fatal("unencodable value accepted")
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"a": 1`) {
		t.Fatal("a failed write changed the previous report")
	}
	if err := WriteJSON(filepath.Join(dir, "no", "such", "dir.json"), 1); err == nil {
		t.Fatal("write into a missing directory accepted")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
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
