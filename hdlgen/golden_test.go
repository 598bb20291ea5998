package hdlgen

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// update rewrites the golden snapshot: go test ./hdlgen -run TestGolden -update.
var update = flag.Bool("update", false, "rewrite testdata/golden from the generator's output")

// goldenDir holds the snapshot of the default design's Verilog.
const goldenDir = "testdata/golden"

// TestGoldenDefaultVerilog compares the default design's generated Verilog
// with the checked-in snapshot, file by file and byte for byte, so any
// change to the emitter shows in review as a change of the snapshot. It
// needs no external tool.
func TestGoldenDefaultVerilog(t *testing.T) {
	d, err := dataflow.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Verilog {
			writeGolden(t, f)
		}
		return
	}
	want, err := filepath.Glob(filepath.Join(goldenDir, "*.v"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(r.Verilog) {
		t.Errorf("%d Verilog files, snapshot has %d (go test ./hdlgen -run TestGolden -update refreshes it)", len(r.Verilog), len(want))
	}
	for _, f := range r.Verilog {
		b, err := os.ReadFile(filepath.Join(goldenDir, f.Name))
		if err != nil {
			t.Errorf("%s: not in the snapshot: %v", f.Name, err)
			continue
		}
		if string(b) != f.Text {
			t.Errorf("%s differs from %s/%s: %s (refresh with -update if intended)", f.Name, goldenDir, f.Name, firstDiff(string(b), f.Text))
		}
	}
}

func writeGolden(t *testing.T, f File) {
	t.Helper()
	path := filepath.Join(goldenDir, f.Name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(f.Text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstDiff describes the first line where want and got differ.
func firstDiff(want, got string) string {
	line := 1
	for i := 0; i < min(len(want), len(got)); i++ {
		if want[i] != got[i] {
			return fmt.Sprintf("first difference at line %d", line)
		}
		if want[i] == '\n' {
			line++
		}
	}
	return fmt.Sprintf("lengths %d and %d, equal up to line %d", len(want), len(got), line)
}
