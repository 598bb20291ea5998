package synth

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
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
	r := tally(hdlgen.XC7, cells)
	if r.DSP != 28 || r.FF != 10 || r.LUT != 8 || r.LUTRAM != 4 || r.BRAM36 != 1.5 {
		t.Errorf("tally = %+v", r)
	}
}

// synthPoint is small, but with a ring deep enough for block RAM.
var synthPoint = []string{"name=synth-small", "arith=fixed8", "model.seq_len=128", "model.window=100",
	"model.head_dim=8", "hw.pes=2", "hw.vector_width=4"}

func TestSynthXC7(t *testing.T) {
	hdltest.Need(t, "yosys")
	d, err := dataflow.Load("", synthPoint)
	if err != nil {
		t.Fatal(err)
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	est, err := resource.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, flat := range []bool{false, true} {
		rep, err := Yosys(context.Background(), r, hdlgen.XC7, flat, "")
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

func TestTallyTargets(t *testing.T) {
	for _, c := range []struct {
		t     hdlgen.Target
		cells map[string]int
		want  resource.Resources
	}{
		{hdlgen.XCUP, map[string]int{"LUT6": 5, "LUT3": 2, "FDRE": 7, "DSP48E2": 3, "RAMB36E2": 1, "RAMB18E2": 3, "URAM288": 2, "SRLC32E": 4, "CARRY8": 9, "RAM32M16": 2},
			resource.Resources{LUT: 7, FF: 7, DSP: 3, BRAM36: 2.5, URAM: 2, LUTRAM: 20}},
		{hdlgen.XC7, map[string]int{"LUT6": 5, "FDSE": 1, "DSP48E1": 2, "RAMB18E1": 1, "RAM64M": 2, "CARRY4": 3},
			resource.Resources{LUT: 5, FF: 1, DSP: 2, BRAM36: 0.5, LUTRAM: 8}},
		{hdlgen.ICE40, map[string]int{"SB_LUT4": 9, "SB_DFFE": 4, "SB_DFF": 1, "SB_RAM40_4K": 3, "SB_MAC16": 1, "SB_CARRY": 5},
			resource.Resources{LUT: 9, FF: 5, DSP: 1, BRAM36: 3}},
	} {
		got := tally(c.t, c.cells)
		got.Cells = nil
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: tally = %+v, want %+v", c.t, got, c.want)
		}
	}
}

func TestNextpnrReason(t *testing.T) {
	out := []byte("Info: Packing constants..\nERROR: Failed to expand region (0, 0) |_> (33, 33) of 7808 ICESTORM_LCs\n0 warnings, 1 error\n")
	if got, want := nextpnrReason(out, errors.New("exit status 255")), "Failed to expand region (0, 0) |_> (33, 33) of 7808 ICESTORM_LCs"; got != want {
		t.Errorf("nextpnrReason = %q, want %q", got, want)
	}
	if got := nextpnrReason([]byte("Segmentation fault\n"), errors.New("signal: segmentation fault")); !strings.Contains(got, "segmentation fault") {
		t.Errorf("nextpnrReason without ERROR lines = %q, want the exit and the output's tail", got)
	}
}
