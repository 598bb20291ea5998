package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimBadConfigs checks that every kind of bad design point fails with
// a message naming the field, a non-zero exit and no output files.
func TestSimBadConfigs(t *testing.T) {
	dir := t.TempDir()
	yamlBad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(yamlBad, []byte("model:\n  windw: 12\n"), 0o644)
	yamlBroken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(yamlBroken, []byte("model: [1, 2\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--set", "hw.pes=0"}, "hw.pes = 0: must be in [1, 1024]"},
		{[]string{"--set", "hw.pes=-3"}, "hw.pes"},
		{[]string{"--set", "hw.kv_buffer_rows=10"}, "hw.kv_buffer_rows = 10: the window"},
		{[]string{"--set", "arch=systolic"}, "arch = \"systolic\": must be one of swat, dense, flash"},
		{[]string{"--set", "memory.kind=sram"}, "memory.kind = \"sram\": must be one of hbm2, ddr4, ideal"},
		{[]string{"--set", "memory.model=magic"}, "memory.model"},
		{[]string{"--set", "model.seq_len=-5"}, "model.seq_len = -5"},
		{[]string{"--set", "model.window=-1", "--set", "model.causal=false"}, "model.window = -1"},
		{[]string{"--set", "model.window=0"}, "model.window = 0: a causal window"},
		{[]string{"--set", "model.head_dim=0"}, "model.head_dim = 0"},
		{[]string{"--set", "hw.vector_width=48"}, "hw.vector_width = 48: must divide model.head_dim = 64"},
		{[]string{"--set", "hw.clock_mhz=0"}, "hw.clock_mhz = 0"},
		{[]string{"--set", "memory.channels=-1"}, "memory.channels = -1"},
		{[]string{"--set", "model.heads=4", "--set", "model.kv_heads=3"}, "model.kv_heads = 3: must divide model.heads = 4"},
		{[]string{"--set", "model.heads=4", "--set", "model.kv_heads=8"}, "model.kv_heads = 8: must be in [0, 4]"},
		{[]string{"--set", "hw.cores=0"}, "hw.cores = 0: must be in [1, 1024]"},
		{[]string{"--set", "device=u9999"}, "device = \"u9999\": must be one of custom, u250, u280, u55c"},
		{[]string{"--set", "device=u55c", "--set", "memory.kind=ddr4"}, "memory.kind = \"ddr4\": must be one of hbm2, ideal (the memories of device u55c)"},
		{[]string{"--set", "device=u55c", "--set", "hw.pes=1024", "--set", "hw.vector_width=64"}, "device u55c: the design needs"},
		{[]string{"--set", "arch=flash", "--set", "hw.key_tile=-1"}, "hw.key_tile = -1"},
		{[]string{"--set", "hw.buffer_memory=dram"}, "hw.buffer_memory = \"dram\": must be one of bram, uram"},
		{[]string{"--set", "memory.channel_gbps=-1"}, "memory.channel_gbps = -1"},
		{[]string{"--set", "model.global_tokens=99999"}, "model.global_tokens = 99999"},
		{[]string{"--set", "model.sinks=-1"}, "model.sinks = -1"},
		{[]string{"--set", "arith=float64"}, "arith = \"float64\": the accelerator needs a fixed-point arithmetic"},
		{[]string{"--arith", "fixed99"}, "unknown preset"},
		{[]string{"--set", "arith=custom:acc_bits=70"}, "arith.acc_bits = 70"},
		{[]string{"--set", "hw.latency.exp=0"}, "hw.latency.exp = 0"},
		{[]string{"--set", "energy.static_w=-2"}, "energy.static_w = -2"},
		{[]string{"--set", "model.scale=100"}, "model.scale"},
		{[]string{"--set", "nosuch.key=1"}, "--set nosuch.key: unknown key"},
		{[]string{"--set", "model.window"}, "want key=value"},
		{[]string{"--set", "hw.pes=eight"}, "hw.pes"},
		{[]string{"--config", yamlBad}, "unknown key \"model.windw\""},
		{[]string{"--config", yamlBroken}, "not valid YAML"},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, "--config"},
		{[]string{"--set", "memory.kind=ideal", "--set", "memory.model=dram"}, "memory.model = dram: needs memory.kind hbm2 or ddr4"},
		{[]string{"--timing-only", "--out", filepath.Join(dir, "o.npy")}, "--timing-only computes no values"},
		{[]string{"--q", "x.npy"}, "--q, --k and --v go together"},
		{[]string{"--trace-blocks", "0"}, "--trace-blocks = 0: must be >= 1"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "r.json")
		args := append([]string{"sim", "--report", out, "--set", "model.seq_len=64"}, c.args...)
		code, _, stderr := runCLI(t, args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want non-zero and %q", c.args, code, stderr, c.want)
		}
		if strings.Contains(stderr, "panic") || strings.Contains(stderr, "internal error") {
			t.Errorf("%v: %s", c.args, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: report written despite the error", c.args)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestSimReportContract checks the report's contract keys and the trace.
func TestSimReportContract(t *testing.T) {
	dir := t.TempDir()
	rep, tr := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
	code, stdout, stderr := runCLI(t, "sim", "--set", "model.seq_len=256", "--set", "model.window=32", "--report", rep, "--trace", tr, "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "bit-exact") || !strings.Contains(stdout, "vs dense") {
		t.Errorf("summary lacks the bit-exact check or the baseline:\n%s", stdout)
	}
	var r map[string]any
	b, _ := os.ReadFile(rep)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cycles", "latency_s", "mac_utilization", "offchip_bytes", "energy_j", "dense_baseline"} {
		if _, ok := r[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	var trace struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	b, _ = os.ReadFile(tr)
	if err := json.Unmarshal(b, &trace); err != nil || len(trace.TraceEvents) < 10 {
		t.Errorf("trace: %v, %d events", err, len(trace.TraceEvents))
	}
}

// TestSimOutEqualsRef checks `swatsim sim --out` writes exactly the bytes
// `swatsim ref` writes with the same arithmetic and mask.
func TestSimOutEqualsRef(t *testing.T) {
	dir := t.TempDir()
	g := "n256_d64_w32_bidir_g2"
	simOut, refOut := filepath.Join(dir, "sim.npy"), filepath.Join(dir, "ref.npy")
	code, _, stderr := runCLI(t, "sim", "--q", goldenPath(g, "q"), "--k", goldenPath(g, "k"), "--v", goldenPath(g, "v"),
		"--set", "model.seq_len=256", "--set", "model.window=32", "--set", "model.causal=false", "--set", "model.global_tokens=2",
		"--set", "hw.pes=8", "--arith", "fixed12", "--out", simOut)
	if code != 0 {
		t.Fatalf("sim: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "ref", "--q", goldenPath(g, "q"), "--k", goldenPath(g, "k"), "--v", goldenPath(g, "v"),
		"--window", "32", "--global", "2", "--arith", "fixed12", "--out", refOut)
	if code != 0 {
		t.Fatalf("ref: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(simOut)
	b, _ := os.ReadFile(refOut)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("sim --out and ref --out differ (%d and %d bytes)", len(a), len(b))
	}
}

// TestSimEnvOverride checks SWATSIM_* environment overrides and that
// --set wins over them.
func TestSimEnvOverride(t *testing.T) {
	t.Setenv("SWATSIM_MODEL_SEQ_LEN", "96")
	t.Setenv("SWATSIM_HW_PES", "0")
	code, _, stderr := runCLI(t, "sim", "--timing-only")
	if code == 0 || !strings.Contains(stderr, "hw.pes = 0") {
		t.Fatalf("env override not applied: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "sim", "--timing-only", "--set", "hw.pes=4")
	if code != 0 || !strings.Contains(stdout, "x 96 tokens") {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
}

// TestSimDeterministic checks that the same inputs and seed give the same
// bytes out (report, output tensor, trace).
func TestSimDeterministic(t *testing.T) {
	dir := t.TempDir()
	var files [2][3][]byte
	for i := range files {
		r, o, tr := filepath.Join(dir, "r.json"), filepath.Join(dir, "o.npy"), filepath.Join(dir, "t.json")
		code, _, stderr := runCLI(t, "sim", "--set", "model.seq_len=300", "--set", "model.window=40", "--set", "model.sinks=2",
			"--seed", "9", "--report", r, "--out", o, "--trace", tr)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for j, p := range []string{r, o, tr} {
			files[i][j], _ = os.ReadFile(p)
		}
	}
	for j := range files[0] {
		if len(files[0][j]) == 0 || !bytes.Equal(files[0][j], files[1][j]) {
			t.Errorf("output %d differs between identical runs", j)
		}
	}
}

// TestSimProfiles checks --cpuprofile and --memprofile write pprof files
// and the CPU profile is summarised.
func TestSimProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	code, _, stderr := runCLI(t, "sim", "--timing-only", "--cpuprofile", cpu, "--memprofile", heap)
	if code != 0 || !strings.Contains(stderr, "top functions") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, p := range []string{cpu, heap} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestSimShapeFromTensors checks that given tensors set the model shape,
// and that an explicit --set that disagrees is an error naming the field.
func TestSimShapeFromTensors(t *testing.T) {
	g := "n64_d16_w8_causal"
	in := []string{"sim", "--q", goldenPath(g, "q"), "--k", goldenPath(g, "k"), "--v", goldenPath(g, "v"),
		"--set", "model.window=8", "--set", "hw.vector_width=4"}
	code, stdout, stderr := runCLI(t, in...)
	if code != 0 || !strings.Contains(stdout, "1 heads x 64 tokens x dim 16") || !strings.Contains(stdout, "bit-exact") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, append(in, "--set", "model.seq_len=100")...)
	if code == 0 || !strings.Contains(stderr, "model.seq_len = 100") {
		t.Fatalf("mismatched seq_len: exit %d, %s", code, stderr)
	}
}

// TestSimExactMatchesShortcut: a timing-only run long enough for the
// steady-state shortcut says so on stderr and writes the same report
// bytes as --exact, which runs every token and says nothing.
func TestSimExactMatchesShortcut(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sim", "--timing-only", "--set", "model.seq_len=16384", "--set", "model.window=128", "--set", "model.heads=2", "--set", "hw.cores=2"}
	var reports [2][]byte
	for i, extra := range [][]string{nil, {"--exact"}} {
		path := filepath.Join(dir, fmt.Sprint(i, ".json"))
		code, _, stderr := runCLI(t, append(append(args, extra...), "--report", path)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, stderr)
		}
		if noted := strings.Contains(stderr, "steady-state shortcut"); noted != (extra == nil) {
			t.Errorf("%v: stderr mentions the shortcut: %v (%q)", extra, noted, stderr)
		}
		var err error
		if reports[i], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Error("the shortcut's report differs from --exact's")
	}
}
