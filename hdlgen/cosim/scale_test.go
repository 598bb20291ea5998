package cosim

import (
	"strings"
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
	// The pipeline latencies on several cores: every lane stage in one
	// cycle (acc, norm, recip 1) ...
	{"cores2-gqa-lat-a1-n1-r1", []string{"arith=fixed8", "hw.cores=2", "model.heads=4", "model.kv_heads=2",
		"model.seq_len=27", "model.window=6", "model.sinks=1", "model.head_dim=8", "hw.pes=3", "hw.vector_width=4",
		"hw.latency.acc=1", "hw.latency.norm=1", "hw.latency.recip=1"}, 1.5},
	// ... C = 1 with the 2-stage accumulator (Period = La = 2: a dummy ring slot) ...
	{"cores2-mqa-c1-a2", []string{"arith=fixed12", "hw.cores=2", "model.heads=4", "model.kv_heads=1",
		"model.seq_len=24", "model.window=5", "model.global_tokens=1", "model.head_dim=4", "hw.pes=2",
		"hw.vector_width=4", "hw.latency.acc=2", "hw.latency.norm=2", "hw.latency.recip=1"}, 0},
	// ... and La = 3 > C = 2 (Period 3) on the dense cores.
	{"cores3-dense-a3-n2-c2", []string{"arch=dense", "arith=fixed8", "hw.cores=3", "model.heads=2", "model.kv_heads=2",
		"model.seq_len=16", "model.window=4", "model.head_dim=4", "hw.pes=3", "hw.vector_width=2",
		"hw.latency.acc=3", "hw.latency.norm=2", "hw.latency.recip=2"}, 1.5},
	// arch flash on several cores: 3 K/V groups on 2 cores (core 1 idle in
	// the last round), a sink's tile then the window's, 4-key tiles ...
	{"cores2-flash-gqa-sink-t4", []string{"arch=flash", "arith=fixed8", "hw.cores=2", "model.heads=6",
		"model.kv_heads=3", "model.seq_len=29", "model.window=6", "model.sinks=1", "model.head_dim=8", "hw.pes=3",
		"hw.vector_width=4", "hw.key_tile=4"}, 1.5},
	// ... and one K/V group in 2 units of 2 heads, bidirectional with
	// global rows, 3-key tiles: every head streams every key it sweeps.
	{"cores2-flash-mqa-global-bidir-t3", []string{"arch=flash", "arith=fixed12", "hw.cores=2", "model.heads=4",
		"model.kv_heads=1", "model.causal=false", "model.seq_len=26", "model.window=5", "model.global_tokens=2",
		"model.head_dim=4", "hw.pes=4", "hw.vector_width=2", "hw.key_tile=3"}, 0},
}

func TestCosimScaleOut(t *testing.T) {
	hdltest.Need(t, "verilator")
	for _, pt := range scaleMatrix {
		t.Run(pt.name, func(t *testing.T) {
			d := pt.design(t)
			q, k, v := pt.inputs(t, d)
			cosimStalls(t, d, q, k, v)
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

// overlapMatrix covers hw.overlap: banked PEs, the overlapped controller
// and, where a block inherits positions from its predecessor (coIssue),
// the second key path.
var overlapMatrix = []struct {
	pt      point
	coIssue bool
}{
	// C = 1: a key streamed in one slot is read from the ring in the next.
	{point{"overlap-causal-sinks-c1", []string{"arith=fixed8", "hw.overlap=true", "model.seq_len=45", "model.window=9",
		"model.sinks=2", "model.head_dim=8", "hw.pes=4", "hw.vector_width=8"}, 1.5}, true},
	{point{"overlap-bidir", []string{"arith=fixed12", "hw.overlap=true", "model.causal=false",
		"model.seq_len=38", "model.window=10", "model.head_dim=8", "hw.pes=3", "hw.vector_width=2"}, 0}, true},
	// Pinned keys: every row's first key is key 0, so no PE is free for the
	// next block's first keys and D = K (SCHEDULE.md rule (i)); the banks
	// still overlap the q load, division and output with the sweeps.
	{point{"overlap-bidir-global-sinks", []string{"arith=fixed12", "hw.overlap=true", "model.causal=false",
		"model.seq_len=38", "model.window=10", "model.global_tokens=3", "model.sinks=1", "model.head_dim=8",
		"hw.pes=3", "hw.vector_width=2"}, 0}, false},
	{point{"overlap-causal-lat-c3", []string{"arith=fixed16", "hw.overlap=true", "model.seq_len=50", "model.window=12",
		"model.head_dim=12", "hw.pes=5", "hw.vector_width=4", "hw.latency.score=2", "hw.latency.exp=3"}, 0}, true},
	// overlap, GQA and cores together: 2 units of 2 heads on 2 cores.
	{point{"overlap-gqa-cores2", []string{"arith=fixed8", "hw.overlap=true", "hw.cores=2", "model.heads=4",
		"model.kv_heads=2", "model.seq_len=30", "model.window=7", "model.head_dim=4", "hw.pes=3",
		"hw.vector_width=2"}, 1.5}, true},
	// with a sink, 3 cores (one idle): here the last PE's row ends before
	// the block does, so B still inherits positions
	{point{"overlap-mqa-cores3-sink", []string{"arith=fixed8", "hw.overlap=true", "hw.cores=3", "model.heads=2",
		"model.kv_heads=1", "model.seq_len=21", "model.window=6", "model.sinks=1", "model.head_dim=4", "hw.pes=2",
		"hw.vector_width=4"}, 1.5}, true},
	{point{"overlap-dense-heads", []string{"arch=dense", "arith=fixed8", "hw.overlap=true", "model.heads=2",
		"model.seq_len=22", "model.window=5", "model.head_dim=4", "hw.pes=4", "hw.vector_width=4"}, 0}, false},
	// The banks with the pipeline latencies: La = 3 > C = 2 (Period 3, a
	// dummy slot in each bank's ring) with one-cycle norm and recip start ...
	{point{"overlap-lat-a3-n1-r1-c2", []string{"arith=fixed12", "hw.overlap=true", "model.seq_len=40",
		"model.window=9", "model.head_dim=8", "hw.pes=3", "hw.vector_width=4", "hw.latency.score=1",
		"hw.latency.exp=1", "hw.latency.acc=3", "hw.latency.norm=1", "hw.latency.recip=1"}, 0}, true},
	// ... C = 1 with every stage in one cycle but the norm (Period 1: the
	// ring bypass between slots one cycle apart) ...
	{point{"overlap-c1-a1-n2-r1-sinks", []string{"arith=fixed8", "hw.overlap=true", "model.seq_len=45",
		"model.window=9", "model.sinks=2", "model.head_dim=4", "hw.pes=4", "hw.vector_width=4",
		"hw.latency.acc=1", "hw.latency.norm=2", "hw.latency.recip=1"}, 1.5}, true},
	// ... La = 3 < C = 4 with GQA units on 2 cores ...
	{point{"overlap-gqa-cores2-a3-n1", []string{"arith=fixed8", "hw.overlap=true", "hw.cores=2", "model.heads=4",
		"model.kv_heads=2", "model.seq_len=28", "model.window=7", "model.head_dim=8", "hw.pes=3",
		"hw.vector_width=2", "hw.latency.score=2", "hw.latency.exp=2", "hw.latency.acc=3", "hw.latency.norm=1",
		"hw.latency.recip=1"}, 1.5}, true},
	// ... and acc 1 with global rows, sinks and bidirectional attention.
	{point{"overlap-bidir-global-a1-n3", []string{"arith=fixed12", "hw.overlap=true", "model.causal=false",
		"model.seq_len=30", "model.window=8", "model.global_tokens=2", "model.sinks=1", "model.head_dim=8",
		"hw.pes=3", "hw.vector_width=2", "hw.latency.acc=1", "hw.latency.norm=3", "hw.latency.recip=2"}, 0}, false},
	// arch flash: the descriptor's two stream runs (sinks' tile, window
	// tiles), 5-key tiles, Period 1 (C = 1, acc 1) ...
	{point{"overlap-flash-causal-sinks-t5-c1", []string{"arch=flash", "arith=fixed8", "hw.overlap=true",
		"model.seq_len=41", "model.window=7", "model.sinks=2", "model.head_dim=4", "hw.pes=3", "hw.vector_width=4",
		"hw.latency.acc=1", "hw.key_tile=5"}, 1.5}, false},
	// ... global rows, bidirectional, one-key tiles, GQA on 2 cores.
	{point{"overlap-flash-bidir-global-t1-gqa-cores2", []string{"arch=flash", "arith=fixed12", "hw.overlap=true",
		"hw.cores=2", "model.heads=4", "model.kv_heads=2", "model.causal=false", "model.seq_len=25",
		"model.window=4", "model.global_tokens=1", "model.sinks=2", "model.head_dim=4", "hw.pes=2",
		"hw.vector_width=2", "hw.key_tile=1"}, 0}, false},
}

func TestCosimOverlap(t *testing.T) {
	hdltest.Need(t, "verilator")
	for _, c := range overlapMatrix {
		t.Run(c.pt.name, func(t *testing.T) {
			d := c.pt.design(t)
			r, err := hdlgen.Generate(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(coreText(r), "u_mask_b"); got != c.coIssue {
				t.Fatalf("second key path generated: %t, want %t", got, c.coIssue)
			}
			q, k, v := c.pt.inputs(t, d)
			cosimStalls(t, d, q, k, v)
		})
	}
}

// coreText is the generated swat_core.v.
func coreText(r *hdlgen.RTL) string {
	for _, f := range r.Verilog {
		if f.Name == hdlgen.TopModule+".v" {
			return f.Text
		}
	}
	return ""
}

// TestOverlapFasterThanSequential: on a causal SWAT layer the overlapped
// RTL needs fewer cycles than the sequential one (both co-simulated
// against their own model), as the model predicts.
func TestOverlapFasterThanSequential(t *testing.T) {
	hdltest.Need(t, "verilator")
	pt := overlapMatrix[0].pt
	d := pt.design(t)
	seq := *d
	seq.HW.Overlap = false
	q, k, v := pt.inputs(t, d)
	var cycles [2]int64
	for i, des := range []*dataflow.Design{&seq, d} {
		res, err := Run(des, q, k, v, 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pass {
			t.Fatalf("%s", res.Report())
		}
		cycles[i] = res.RTLCycles
	}
	t.Logf("sequential %d cycles, overlapped %d", cycles[0], cycles[1])
	if cycles[1] >= cycles[0] {
		t.Errorf("overlapped %d cycles, sequential %d: no gain", cycles[1], cycles[0])
	}
	// docs/rtl-scaleout.md quotes these two counts
	if cycles != [2]int64{662, 340} {
		t.Errorf("cycles %v, docs/rtl-scaleout.md says [662 340]", cycles)
	}
}

// TestPlantedOverlapGateFails: an overlapped controller whose blocks wait
// one block longer than the contract for the accumulator bank (the end of
// block A-1's output instead of A-2's) stays correct but slower: the
// cycle comparison must fail, the codes must not.
func TestPlantedOverlapGateFails(t *testing.T) {
	hdltest.Need(t, "verilator")
	pt := overlapMatrix[1].pt
	d := pt.design(t)
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	plant(t, r, "swat_ctrl.v", "  wire g_own = (x != ta) || ((lcnt > ia) && (ocnt + B_ONE >= ia));\n",
		"  wire g_own = (x != ta) || ((lcnt > ia) && (ocnt >= ia));\n")
	q, k, v := pt.inputs(t, d)
	plantedCheck(t, d, r, q, k, v, "beat")
}
