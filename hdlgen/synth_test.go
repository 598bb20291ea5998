package hdlgen

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

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
	if r.DSP != 28 || r.FF != 10 || r.LUT != 8 || r.LUTRAM != 4 || r.BRAM36 != 1.5 {
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
	est, err := resource.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, flat := range []bool{false, true} {
		rep, err := Synth(context.Background(), r, XC7, flat, "")
		if err != nil {
			t.Fatal(err)
		}
		y := rep.Resources
		t.Logf("flat=%v %.0f s: yosys %v; estimate %v", flat, rep.Time.Seconds(), y, est)
		if y.DSP == 0 || y.BRAM36 == 0 {
			t.Errorf("flat=%v: no DSP or block RAM inferred: %v", flat, y)
		}
		if y.DSP != est.DSP || y.BRAM36 != est.BRAM36 {
			t.Errorf("flat=%v: DSP %d BRAM %g, estimate %d %g", flat, y.DSP, y.BRAM36, est.DSP, est.BRAM36)
		}
		if d := math.Abs(float64(y.LUT-est.LUT)) / float64(y.LUT); d > 0.25 {
			t.Errorf("flat=%v: LUT %d, estimate %d", flat, y.LUT, est.LUT)
		}
	}
}
