package sim_test

import (
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/sim"
)

// TestResourcesUseTheCardsFamily: the UltraScale+ cards are estimated
// with the xcup formulas, custom with the xc7 ones, times hw.cores; with
// hw.buffer_memory = uram the buffers' block RAM moves to URAM288.
func TestResourcesUseTheCardsFamily(t *testing.T) {
	for _, c := range []struct {
		device string
		family resource.Family
	}{{"custom", resource.XC7}, {"u55c", resource.XCUP}, {"u280", resource.XCUP}, {"u250", resource.XCUP}} {
		d := design(t, "device="+c.device, "hw.cores=3", "model.seq_len=1024", "model.window=256", "hw.pes=4", "hw.vector_width=8")
		got, err := sim.EstimateResources(d)
		if err != nil {
			t.Fatal(err)
		}
		one, err := resource.EstimateFor(d, c.family)
		if err != nil {
			t.Fatal(err)
		}
		if got.LUT != 3*one.LUT || got.FF != 3*one.FF || got.DSP != 3*one.DSP || got.BRAM36 != 3*one.BRAM36 || got.LUTRAM != 3*one.LUTRAM {
			t.Errorf("%s: %v, want 3 x the %s estimate %v", c.device, got, c.family, one)
		}
		if one.BRAM36 == 0 {
			t.Fatalf("%s: the point has no block RAM to move", c.device)
		}
		d.HW.BufferMem = "uram"
		u, err := sim.EstimateResources(d)
		if err != nil {
			t.Fatal(err)
		}
		// Two rings of 256+ rows x 64 x 16 bits: 1 x 15 URAM288 each.
		if u.BRAM36 != 0 || u.URAM != 3*2*15 || u.LUT != got.LUT {
			t.Errorf("%s, uram: BRAM36 %g URAM %d LUT %d; want 0, %d, %d", c.device, u.BRAM36, u.URAM, u.LUT, 3*2*15, got.LUT)
		}
	}
	if v, _ := dataflow.LookupDevice("u55c"); v.Family != "xcup" {
		t.Errorf("u55c family %q", v.Family)
	}
}
