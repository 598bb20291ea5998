package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
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
		{[]string{"synth", "--target", "vu9p"}, "must be one of xc7, ice40, ecp5"},
		{[]string{"synth", "--mode", "fast"}, "--mode \"fast\""},
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
	d, err := dataflow.Load("", []string{"name=cli-small", "arith=fixed8", "model.seq_len=24", "model.window=4",
		"model.head_dim=8", "hw.pes=2", "hw.vector_width=4"})
	if err != nil {
		t.Fatal(err)
	}
	q, k, v := hdlgen.RandomInputs(d, 9, 2)
	dir := t.TempDir()
	args := []string{"cosim", "--stall-percent", "30"}
	for name, x := range map[string]*reference.Tensor{"q": q, "k": k, "v": v} {
		path := filepath.Join(dir, name+".npy")
		if err := traces.WriteTensor(path, x); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--"+name, path)
	}
	code, out, errs := runCLI(t, append(args, hdlSmall...)...)
	if code != 0 || !cosimLine.MatchString(out) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
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
