package hdlgen

import (
	"math"
	"os"
	"path/filepath"
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
	// Yosys 0.23 synth_xilinx -family xc7 (hierarchical) on these points.
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
		d, err := dataflow.Load("", c.sets)
		if err != nil {
			t.Fatal(err)
		}
		est, err := EstimateResources(d)
		if err != nil {
			t.Fatal(err)
		}
		if est.DSP != c.dsp || est.BRAM != c.bram {
			t.Errorf("%v: DSP %d BRAM %g, want %d %g", c.sets, est.DSP, est.BRAM, c.dsp, c.bram)
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

func TestReadStatHierarchy(t *testing.T) {
	stat := `
=== swat_lane ===

   Number of cells:                 9
     DSP48E1                         7
     LUT2                            2

=== design hierarchy ===

   swat_core                         1
     swat_lane                       4

   Number of cells:                 50
     DSP48E1                        28
     FDRE                           10
     LUT2                            8
     RAM32M                          1
     RAMB18E1                        3
`
	path := filepath.Join(t.TempDir(), "stat.txt")
	if err := os.WriteFile(path, []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	cells, err := readStat(path)
	if err != nil {
		t.Fatal(err)
	}
	r := tally(XC7, cells)
	if r.DSP != 28 || r.FF != 10 || r.LUT != 8 || r.LUTRAM != 4 || r.BRAM != 1.5 {
		t.Errorf("tally = %+v", r)
	}
}

// synthPoint is small, but with a ring deep enough for block RAM.
var synthPoint = []string{"name=synth-small", "arith=fixed8", "model.seq_len=128", "model.window=100",
	"model.head_dim=8", "hw.pes=2", "hw.vector_width=4"}

func TestSynthXC7(t *testing.T) {
	needTool(t, "yosys")
	d, err := dataflow.Load("", synthPoint)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateResources(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, flat := range []bool{false, true} {
		rep, err := Synth(r, XC7, flat, "")
		if err != nil {
			t.Fatal(err)
		}
		y := rep.Resources
		t.Logf("flat=%v %.0f s: yosys %v; estimate %v", flat, rep.Time.Seconds(), y, est)
		if y.DSP == 0 || y.BRAM == 0 {
			t.Errorf("flat=%v: no DSP or block RAM inferred: %v", flat, y)
		}
		if y.DSP != est.DSP || y.BRAM != est.BRAM {
			t.Errorf("flat=%v: DSP %d BRAM %g, estimate %d %g", flat, y.DSP, y.BRAM, est.DSP, est.BRAM)
		}
		if d := math.Abs(float64(y.LUT-est.LUT)) / float64(y.LUT); d > 0.25 {
			t.Errorf("flat=%v: LUT %d, estimate %d", flat, y.LUT, est.LUT)
		}
	}
}
