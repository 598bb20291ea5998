package cosim

import (
	"slices"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
)

// TestFlashBetweenSWATAndDense: on a causal windowed layer with pinned
// keys the flash RTL (co-simulated against its own model) sweeps fewer
// keys than the dense RTL, which sweeps every key up to the row, and more
// than the SWAT RTL, which reads its window from the ring: its cycle count
// lies between theirs.
func TestFlashBetweenSWATAndDense(t *testing.T) {
	hdltest.Need(t, "verilator")
	pt := matrix[slices.IndexFunc(matrix, func(p point) bool { return p.name == "flash-causal-global-sinks-t5" })]
	d := pt.design(t)
	q, k, v := pt.inputs(t, d)
	var cycles [3]int64 // swat, flash, dense
	for i, arch := range []string{dataflow.ArchSWAT, dataflow.ArchFlash, dataflow.ArchDense} {
		des := *d
		des.Arch = arch
		res, err := Run(&des, q, k, v, 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pass {
			t.Fatalf("%s", res.Report())
		}
		cycles[i] = res.RTLCycles
	}
	t.Logf("swat %d, flash %d, dense %d cycles", cycles[0], cycles[1], cycles[2])
	if !(cycles[0] < cycles[1] && cycles[1] < cycles[2]) {
		t.Errorf("cycles swat %d, flash %d, dense %d: flash not between", cycles[0], cycles[1], cycles[2])
	}
	// docs/rtl-flash.md quotes these counts
	if want := [3]int64{898, 1029, 1291}; cycles != want {
		t.Errorf("cycles %v, docs/rtl-flash.md says %v", cycles, want)
	}
}
