package resource

import (
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

func TestDSPTiles(t *testing.T) {
	// Counts Yosys 0.23 synth_xilinx -family xc7 reported for these
	// signed multipliers of the generated RTL.
	for _, c := range []struct{ a, b, want int }{
		{48, 26, 6}, // fixed16 lane: acc x {0, r}
		{36, 15, 2}, // fixed16 score: dot x coefficient
		{41, 17, 2}, // fixed16 l x alpha
		{16, 16, 1}, // fixed16 dot
		{16, 17, 1}, // fixed16 p x v
		{32, 14, 2}, // fixed8 lane
		{40, 18, 2}, // fixed12 lane
		{8, 8, 1},   // fixed8 dot
		{3, 4, 0},   // too small: LUTs
	} {
		if got := dspTiles(c.a, c.b); got != c.want {
			t.Errorf("dspTiles(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestEstimateCalibration(t *testing.T) {
	// Yosys 0.23 synth_xilinx -family xc7 (hierarchical) on these points,
	// measured before the pipelined latencies became the defaults: each
	// point keeps the latencies it was measured with (old).
	old := []string{"hw.latency.score=1", "hw.latency.acc=1", "hw.latency.norm=1", "hw.latency.recip=1"}
	for _, c := range []struct {
		sets               []string
		lut, ff, dsp, lram int
		bram               float64
	}{
		{nil, 165473, 22845, 2128, 12984, 57}, // the default design point
		{[]string{"model.seq_len=256", "model.window=64", "model.head_dim=32", "hw.pes=8", "hw.vector_width=8",
			"model.causal=false", "model.global_tokens=4"}, 46996, 8391, 552, 4104, 15},
		{[]string{"hw.pes=2", "model.seq_len=256", "model.window=64", "model.head_dim=128", "hw.vector_width=32",
			"arith=fixed8"}, 22800, 4051, 262, 2732, 29},
		{[]string{"hw.pes=2", "model.seq_len=256", "model.window=64",
			"arith=custom:in_bits=12,in_frac=8,acc_bits=36,sum_bits=30,recip_bits=16"}, 13124, 3277, 138, 1664, 22},
		{[]string{"model.seq_len=1024", "arith=fixed8"}, 84826, 12135, 1072, 8548, 29},
		{[]string{"model.seq_len=1024", "arith=fixed12"}, 105116, 17319, 1088, 10764, 43},
		{[]string{"model.seq_len=256", "model.window=32", "model.head_dim=16", "hw.pes=2", "hw.vector_width=16",
			"arith=fixed12", "hw.latency.score=3", "hw.latency.exp=3"}, 9645, 2724, 136, 644, 0},
	} {
		sets := append(slices.Clone(old), c.sets...)
		d, err := dataflow.Load("", sets)
		if err != nil {
			t.Fatal(err)
		}
		est, err := Estimate(d)
		if err != nil {
			t.Fatal(err)
		}
		if est.DSP != c.dsp || est.BRAM36 != c.bram {
			t.Errorf("%v: DSP %d BRAM %g, want %d %g", c.sets, est.DSP, est.BRAM36, c.dsp, c.bram)
		}
		for _, q := range []struct {
			name      string
			got, want int
			tol       float64
		}{{"LUT", est.LUT, c.lut, 0.05}, {"FF", est.FF, c.ff, 0.01}, {"LUTRAM", est.LUTRAM, c.lram, 0.01}} {
			if math.Abs(float64(q.got-q.want)) > q.tol*float64(q.want) {
				t.Errorf("%v: %s %d, Yosys %d (tolerance %.0f%%)", c.sets, q.name, q.got, q.want, 100*q.tol)
			}
		}
	}
}

// TestSimNeedsNoHDL checks that the platform model does not depend on the
// Verilog generator and its tooling: sim imports this leaf package, not
// hdlgen.
func TestSimNeedsNoHDL(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/swatsim/swatsim/sim/...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "github.com/swatsim/swatsim/dataflow/resource") {
		t.Errorf("sim does not import dataflow/resource: the check is looking at the wrong packages")
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/swatsim/swatsim/hdlgen") {
			t.Errorf("sim depends on %s", p)
		}
	}
}
