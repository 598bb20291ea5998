package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	csv1, csv2, png := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "p.png")
	args := []string{"sweep", "--set", "model.seq_len=256", "--param", "model.window", "--values", "16,32",
		"--series", "arch", "--series-values", "swat,dense"}
	code, out, stderr := runCLI(t, append(args, "--csv", csv1, "--plot", png)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr = runCLI(t, append(args, "--csv", csv2)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(csv1)
	b, _ := os.ReadFile(csv2)
	if !bytes.Equal(a, b) || strings.Count(string(a), "\n") != 5 {
		t.Errorf("CSV not deterministic or wrong length:\n%s", a)
	}
	if img, _ := os.ReadFile(png); !bytes.HasPrefix(img, []byte("\x89PNG")) {
		t.Errorf("plot is not a PNG")
	}
	if !strings.Contains(out, "dense") {
		t.Errorf("table lacks the dense series:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "--param", "model.window"}, "--param and --values are required"},
		{[]string{"sweep", "--param", "model.window", "--values", "8", "--metric", "speed"}, "--metric \"speed\": unknown"},
		{[]string{"sweep", "--param", "model.window", "--values", "8", "--plot", filepath.Join(dir, "x.gif")}, "must end in .png, .svg or .pdf"},
		{[]string{"sweep", "--param", "hw.pes", "--values", "4,0"}, "hw.pes=0: hw.pes = 0: must be in [1, 1024]"},
		{[]string{"sweep", "--param", "model.nope", "--values", "1"}, "unknown key"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
