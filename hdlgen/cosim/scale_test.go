package cosim

import (
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
)

// scaleMatrix covers the scale-out fields: several cores (swat_top, every
// core's ports driven and logged on their own) and grouped K/V heads
// (units of heads sharing the ring and the pinned buffer).
var scaleMatrix = []point{
	// units = 3 K/V groups on 2 cores: core 1 is idle in the last round.
	{"cores2-gqa-idle-sinks", []string{"arith=fixed8", "hw.cores=2", "model.heads=6", "model.kv_heads=3",
		"model.seq_len=29", "model.window=6", "model.sinks=1", "model.head_dim=8", "hw.pes=3", "hw.vector_width=4"}, 1.5},
	// one K/V group split into 2 units of 2 heads: the later head of each
	// unit sweeps its window from the ring.
	{"cores2-mqa-split-global-bidir", []string{"arith=fixed12", "hw.cores=2", "model.heads=4", "model.kv_heads=1",
		"model.causal=false", "model.seq_len=26", "model.window=6", "model.global_tokens=2", "model.sinks=3",
		"model.head_dim=4", "hw.pes=4", "hw.vector_width=2"}, 0},
	// 2 units on 3 cores: core 2 has no work at all.
	{"cores3-dense-gqa", []string{"arch=dense", "arith=fixed8", "hw.cores=3", "model.heads=4", "model.kv_heads=2",
		"model.seq_len=18", "model.window=4", "model.head_dim=4", "hw.pes=3", "hw.vector_width=4"}, 1.5},
	// one core, 3 query heads on one K/V head, pinned keys preloaded once.
	{"core1-mqa-pinned-lat", []string{"arith=fixed16", "model.heads=3", "model.kv_heads=1", "model.seq_len=33",
		"model.window=7", "model.global_tokens=1", "model.sinks=2", "model.head_dim=8", "hw.pes=2",
		"hw.vector_width=2", "hw.latency.score=2", "hw.latency.exp=1"}, 0},
}

func TestCosimScaleOut(t *testing.T) {
	hdltest.Need(t, "verilator")
	for _, pt := range scaleMatrix {
		t.Run(pt.name, func(t *testing.T) {
			d := pt.design(t)
			q, k, v := pt.inputs(t, d)
			for _, pct := range []int{0, 25} {
				res, err := Run(d, q, k, v, 5, pct)
				if err != nil {
					t.Fatal(err)
				}
				t.Log(res.Summary(), "per core", res.CoreCycles)
				if !res.Pass {
					t.Errorf("%s", res.Report())
				}
			}
		})
	}
}

// TestCoreStallSeeds: the cores' stall patterns differ (each core's ports
// are held off on their own), and core 0 keeps the run's seed.
func TestCoreStallSeeds(t *testing.T) {
	p := dataflow.StallPattern{Seed: 5, Percent: 25}
	if p.Core(0) != p {
		t.Fatalf("core 0's pattern %v, want the run's %v", p.Core(0), p)
	}
	same := 0
	for c := int64(0); c < 1000; c++ {
		if p.Core(0).Open(dataflow.PortQValid, c) == p.Core(1).Open(dataflow.PortQValid, c) {
			same++
		}
	}
	// independent patterns with 25% stalls agree in 62.5% of the cycles
	if same > 700 {
		t.Errorf("cores 0 and 1 agree in %d of 1000 cycles: their patterns are not independent", same)
	}
}

// plantedScale is the multi-core point of the per-core planted-bug tests:
// core 0 runs 2 units, core 1 one, so a bug planted for UNITS == 1 hits
// core 1 only.
var plantedScale = point{"planted-cores", []string{"arith=fixed8", "hw.cores=2", "model.heads=3", "model.kv_heads=3",
	"model.seq_len=20", "model.window=5", "model.head_dim=4", "hw.pes=2", "hw.vector_width=2"}, 1.5}

// plantedCoreCosim co-simulates plantedScale with old replaced by new in
// file name and wants every run to fail on cycles only, with an error
// containing want.
func plantedCoreCosim(t *testing.T, name, old, new, want string) {
	t.Helper()
	hdltest.Need(t, "verilator")
	d := plantedScale.design(t)
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	plant(t, r, name, old, new)
	q, k, v := plantedScale.inputs(t, d)
	plantedCheck(t, d, r, q, k, v, want)
}

func TestPlantedCoreEarlyDoneFails(t *testing.T) {
	plantedCoreCosim(t, "swat_ctrl.v", doneLine,
		"  assign done     = phase == PH_DONE || (UNITS == 1 && o_valid && o_ready && head_end && cnt == rows - C_ONE);\n",
		"core 1: done rose")
}

func TestPlantedTopDoneFails(t *testing.T) {
	plantedCoreCosim(t, "swat_top.v", "  assign done = c0_done & c1_done;\n", "  assign done = c1_done;\n", "top: done rose")
}

func TestPlantedCoreExtraBeatFails(t *testing.T) {
	// core 1 sends one more o beat, 60 cycles after its done.
	plantedCoreCosim(t, "swat_ctrl.v", "  assign o_valid  = phase == PH_OUT;\n", `  reg [6:0] extra_n;
  always @(posedge clk) extra_n <= (rst || phase != PH_DONE) ? 7'd0 : (extra_n == 7'd127 ? extra_n : extra_n + 7'd1);
  assign o_valid  = phase == PH_OUT || (UNITS == 1 && phase == PH_DONE && extra_n == 7'd60);
`, "core 1: o: ")
}
