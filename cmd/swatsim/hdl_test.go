package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen/cosim"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// hdlSmall is a design point that builds and synthesizes quickly.
var hdlSmall = []string{"--set", "name=cli-small", "--set", "arith=fixed8", "--set", "model.seq_len=24",
	"--set", "model.window=4", "--set", "model.head_dim=8", "--set", "hw.pes=2", "--set", "hw.vector_width=4"}

// needHDLTool skips without the tool, except under CI (CI=true), where a
// missing tool fails the test.
func needHDLTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not on PATH (scripts/install-hdl-tools.sh installs it)", name)
		}
		t.Skipf("%s not on PATH", name)
	}
}

func TestHDLWritesFiles(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, append([]string{"hdl", "--out", dir}, hdlSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"swat_core.v", "swat_pe.v", "swat_exp_rom.v", "tb/tb.cpp", "Makefile", "synth_xc7.ys", "synth_ice40_hier.ys", "stim.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
		if !strings.Contains(out, f) {
			t.Errorf("output does not list %s:\n%s", f, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "swat_core.v"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`design point "cli-small"`, "model.window: 4", "hw.pes: 2", "arith: fixed8", "module swat_core"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("swat_core.v lacks %q", want)
		}
	}
}

func TestHDLCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hdl"}, "--out is required"},
		{[]string{"hdl", "--out", t.TempDir(), "--set", "hw.pes=0"}, "hw.pes = 0"},
		{[]string{"hdl", "--out", t.TempDir(), "--set", "arith=float64"}, "fixed-point"},
		{[]string{"cosim", "--q", "q.npy"}, "go together"},
		{[]string{"cosim", "--stall-percent", "100"}, "--stall-percent = 100"},
		{[]string{"synth", "--target", "vu9p"}, "must be one of xc7, xcup, ice40, ecp5"},
		{[]string{"synth", "--mode", "fast"}, "--mode \"fast\""},
		{[]string{"synth", "--pnr"}, "--pnr: no place-and-route flow for --target xc7"},
		{[]string{"synth", "--pnr", "--target", "xcup"}, "--pnr: no place-and-route flow for --target xcup"},
		{[]string{"synth", "--bitstream", "x.bin"}, "--bitstream needs --pnr"},
		{[]string{"synth", "--target", "ice40", "--pnr", "--freq", "0"}, "--freq = 0"},
		{[]string{"synth", "--target", "ice40", "--pnr", "--freq", "NaN"}, "--freq = NaN"},
		{[]string{"synth", "--target", "ice40", "--pnr", "--mode", "hier"}, "one flat netlist"},
		{[]string{"synth", "--arith", "fixed99"}, "fixed99"},
		{[]string{"synth", "--report", "nodir/s.json"}, "--report nodir/s.json: directory nodir: no such file or directory"},
		// Too big for the HX8K, refused before any tool runs: the default
		// design's ports, and 200 PEs' flip-flops.
		{[]string{"synth", "--target", "ice40", "--pnr"}, "I/O pins"},
		{[]string{"synth", "--target", "ice40", "--pnr", "--set", "hw.pes=200", "--set", "model.head_dim=4",
			"--set", "hw.vector_width=4", "--set", "arith=fixed8"}, "logic cells"},
		{[]string{"hdl", "--out", t.TempDir(), "--set", "name=x\nmodule evil(); endmodule"}, `name = "x\nmodule evil(); endmodule": must be`},
		{[]string{"synth", "--set", "name=a b"}, `name = "a b": must be`},
		{[]string{"synth", "--target", "xcup", "--set", "device=u55c", "--set", "hw.pes=512", "--set", "hw.vector_width=64", "--set", "model.head_dim=128"},
			"LUT (hw.cores = 1), the device has 1303680; shrink"},
		{[]string{"cosim", "--set", "name=../x"}, `name = "../x": must be`},
		{[]string{"cosim", "--vcd", "nodir/w.vcd"}, "--vcd nodir/w.vcd: directory nodir: no such file or directory"},
		{[]string{"cosim", "--vcd", filepath.Join(t.TempDir(), "w.vcd"), "--vcd-from", "-5"}, "--vcd-from = -5"},
		{[]string{"cosim", "--vcd", filepath.Join(t.TempDir(), "w.vcd"), "--vcd-from", "10", "--vcd-to", "5"}, "--vcd-to = 5"},
		{[]string{"cosim", "--vcd-from", "3"}, "--vcd-from needs --vcd"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, errs, c.want)
		}
	}
}

var cosimLine = regexp.MustCompile(`PASS cli-small: model (\d+) cycles, RTL (\d+) cycles`)

func TestCosimCommand(t *testing.T) {
	needHDLTool(t, "verilator")
	code, out, errs := runCLI(t, append([]string{"cosim", "--stalls", "--seed", "4"}, hdlSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	m := cosimLine.FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || !strings.Contains(out, "stalls 20%") {
		t.Fatalf("want PASS with equal cycles and 20%% stalls:\n%s", out)
	}
}

func TestCosimCommandNpyInputs(t *testing.T) {
	needHDLTool(t, "verilator")
	for _, c := range []struct {
		shape []string // the tensors' heads
		extra []string // more --set
	}{
		{nil, nil},
		// GQA from the tensors (k.npy has 1 head, q.npy 2) on 2 cores
		{[]string{"model.heads=2", "model.kv_heads=1"}, []string{"--set", "hw.cores=2"}},
	} {
		d, err := dataflow.Load("", append([]string{"name=cli-small", "arith=fixed8", "model.seq_len=24", "model.window=4",
			"model.head_dim=8", "hw.pes=2", "hw.vector_width=4"}, c.shape...))
		if err != nil {
			t.Fatal(err)
		}
		q, k, v := cosim.RandomInputs(d, 9, 2)
		dir := t.TempDir()
		args := []string{"cosim", "--stall-percent", "30"}
		for name, x := range map[string]*reference.Tensor{"q": q, "k": k, "v": v} {
			path := filepath.Join(dir, name+".npy")
			if err := traces.WriteTensor(path, x); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--"+name, path)
		}
		code, out, errs := runCLI(t, append(append(args, hdlSmall...), c.extra...)...)
		if code != 0 || !cosimLine.MatchString(out) {
			t.Fatalf("%v: exit %d\n%s\n%s", c.shape, code, out, errs)
		}
	}
}

func TestSynthCommand(t *testing.T) {
	needHDLTool(t, "yosys")
	code, out, errs := runCLI(t, append([]string{"synth", "--mode", "hier"}, hdlSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"yosys xc7", "estimate", "DSP", "BRAM", "hierarchical"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestHDLLeavesNoPartialDirectory checks that a failed hdl run creates
// nothing and that a good one leaves no temporary directory beside --out.
func TestHDLLeavesNoPartialDirectory(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "rtl")
	code, _, _ := runCLI(t, "hdl", "--out", out, "--set", "name=bad name")
	if code == 0 {
		t.Fatal("hdl accepted a bad name")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a failed hdl left %v behind", entries)
	}
	if code, _, errs := runCLI(t, append([]string{"hdl", "--out", out}, hdlSmall...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "rtl" {
		t.Fatalf("beside --out: %v, want only rtl", entries)
	}
	// Into an existing directory: the files replace the old ones, others stay.
	keep := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, append([]string{"hdl", "--out", out, "--arith", "fixed12"}, hdlSmall...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("hdl removed a file of the user's: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(out, "swat_core.v"))
	if err != nil || !strings.Contains(string(b), "arith: fixed12") {
		t.Errorf("swat_core.v not regenerated with --arith fixed12 (%v)", err)
	}
}

// synthReportKeys are swatsim synth --report's keys.
var synthReportKeys = []string{"target", "lut", "ff", "dsp", "bram36", "uram", "lutram", "estimate", "fmax_mhz", "bitstream"}

func readSynthReport(t *testing.T, path string) map[string]any {
	t.Helper()
	m := kvReadReport(t, path)
	for _, k := range synthReportKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q: %v", k, m)
		}
	}
	est, _ := m["estimate"].(map[string]any)
	for _, k := range synthReportKeys[1:7] {
		if _, ok := est[k]; !ok {
			t.Errorf("report's estimate lacks %q: %v", k, m)
		}
	}
	return m
}

func TestSynthReportJSON(t *testing.T) {
	needHDLTool(t, "yosys")
	path := filepath.Join(t.TempDir(), "s.json")
	code, out, errs := runCLI(t, append([]string{"synth", "--mode", "hier", "--arith", "fixed12", "--report", path}, hdlSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	m := readSynthReport(t, path)
	d, err := dataflow.Load("", []string{"name=cli-small", "arith=fixed12", "model.seq_len=24", "model.window=4",
		"model.head_dim=8", "hw.pes=2", "hw.vector_width=4"})
	if err != nil {
		t.Fatal(err)
	}
	est, err := resource.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	e := m["estimate"].(map[string]any)
	if m["target"] != "xc7" || e["lut"] != float64(est.LUT) || e["dsp"] != float64(est.DSP) || m["fmax_mhz"] != nil || m["bitstream"] != nil {
		t.Errorf("report %v; want target xc7, the fixed12 estimate (LUT %d, DSP %d), null fmax and bitstream", m, est.LUT, est.DSP)
	}
	if m["dsp"] != e["dsp"] {
		t.Errorf("Yosys DSP %v, estimate %v: the DSP formula is exact on xc7", m["dsp"], e["dsp"])
	}
}

// TestSynthPlaceRouteIce40 runs the open flow on a tiny point: Yosys
// synth_ice40, nextpnr-ice40 on the HX8K and icepack.
func TestSynthPlaceRouteIce40(t *testing.T) {
	for _, tool := range []string{"yosys", "nextpnr-ice40", "icepack"} {
		needHDLTool(t, tool)
	}
	dir := t.TempDir()
	report, bits := filepath.Join(dir, "s.json"), filepath.Join(dir, "core.bin")
	code, out, errs := runCLI(t, "synth", "--target", "ice40", "--pnr", "--freq", "30", "--report", report, "--bitstream", bits,
		"--set", "name=tiny", "--arith", "fixed8", "--set", "model.seq_len=16", "--set", "model.window=4",
		"--set", "model.head_dim=2", "--set", "hw.pes=1", "--set", "hw.vector_width=1")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	m := readSynthReport(t, report)
	fmax, _ := m["fmax_mhz"].(float64)
	if m["target"] != "ice40" || fmax <= 0 || m["bitstream"] != bits {
		t.Errorf("report %v: want target ice40, an Fmax and the bitstream path", m)
	}
	st, err := os.Stat(bits)
	if err != nil || st.Size() < 1000 {
		t.Errorf("bitstream %s: %v", bits, err)
	}
	for _, want := range []string{"fmax ", "ICESTORM_LC ", "SB_IO "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
