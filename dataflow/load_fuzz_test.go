package dataflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/internal/config"
)

// FuzzLoad drives design-point loading with random YAML: every input gives
// a validated design or a one-line error; nothing panics.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{string(DefaultYAML), "model:\n  heads: 2.5", "model: 5", "hw:\n  clock_mhz: .nan",
		"model:\n  seq_len: 0", "arith: custom:lut_bits=30", "memory:\n  model: dram\n  kind: ideal", "---\n---"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "d.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Load(p, nil)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") && !strings.Contains(msg, "not valid YAML") {
				t.Errorf("error spans lines: %q", msg)
			}
			return
		}
		if err := config.CheckFinite(d); err != nil {
			t.Errorf("loaded a non-finite value: %v", err)
		}
	})
}
