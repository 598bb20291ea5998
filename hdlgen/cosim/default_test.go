package cosim

import (
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
	"testing"
)

// TestCosimDefaultDesign co-simulates the default design point (D=64, 16
// PEs x 16 lanes, 4,096 tokens, window 512) and one D=128 point, bit for
// bit and cycle for cycle, with and without stalls. The Verilator builds
// are the slowest part (cached afterwards under SWATSIM_CACHE_DIR).
func TestCosimDefaultDesign(t *testing.T) {
	hdltest.Need(t, "verilator")
	if testing.Short() {
		t.Skip("-short: the default design's Verilator build takes minutes")
	}
	for _, c := range []struct {
		pt  point
		pct int
	}{
		{point{"default", nil, 0}, 0},
		{point{"default", nil, 0}, 10},
		{point{"d128", []string{"model.head_dim=128", "model.seq_len=1024", "model.window=256"}, 0}, 10},
	} {
		d := c.pt.design(t)
		q, k, v := c.pt.inputs(t, d)
		res, err := Run(d, q, k, v, 5, c.pct)
		if err != nil {
			t.Fatal(err)
		}
		built := "cached"
		if !res.Sim.Cached {
			built = res.Sim.BuildTime.String()
		}
		t.Logf("%s (build %s, run %s)", res.Summary(), built, res.SimTime)
		if !res.Pass {
			t.Errorf("%s", res.Report())
		}
	}
}
