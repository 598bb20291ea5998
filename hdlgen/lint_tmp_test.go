package hdlgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

func TestTmpLint(t *testing.T) {
	sets := [][]string{
		{"model.seq_len=64", "model.window=8", "model.head_dim=16", "hw.pes=4", "hw.vector_width=4"},
	}
	if s := os.Getenv("SETS"); s != "" {
		sets = [][]string{strings.Split(s, ";")}
	}
	for _, s := range sets {
		d, err := dataflow.Load("", s)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Generate(d)
		if err != nil {
			t.Fatal(err)
		}
		dir := "/tmp/lint"
		os.RemoveAll(dir)
		if err := r.WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		args := []string{"--lint-only", "-Wall", "--top-module", TopModule}
		for _, n := range r.VerilogNames() {
			args = append(args, filepath.Join(dir, n))
		}
		out, err := exec.Command("verilator", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
}
