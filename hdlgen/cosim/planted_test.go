package cosim

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
	"github.com/swatsim/swatsim/reference"
)

// plantedPoint is the design of the planted-bug tests: small and narrow so
// that it builds quickly, with interpolation so that an entry is read both
// as E[idx] and as E[idx+1].
var plantedPoint = point{"planted", []string{"arith=custom:in_bits=10,in_frac=6,coef_bits=14,coef_frac=12," +
	"score_bits=18,score_frac=9,lut_bits=3,interp=true,prob_frac=10,sum_bits=24,acc_bits=28,recip_bits=10",
	"model.seq_len=40", "model.window=8", "model.head_dim=8", "hw.pes=4", "hw.vector_width=4"}, 2}

// lutHits counts, per exp ROM entry, the exp evaluations whose result
// depends on it: x = |t - m| for every key after a row's first, with
// x >> score_frac <= prob_frac, reading E[idx], and E[idx+1] when
// interpolating with a non-zero remainder.
func lutHits(d *dataflow.Design, kern *reference.Kernel, q, k, v *reference.Tensor) []int {
	a := kern.A
	qc, kc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac)
	hits := make([]int, len(kern.ExpLUT))
	low := uint(a.ScoreFrac - a.LUTBits)
	m := d.Mask()
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			var mx int64
			for n, j := range m.Keys(i, nil) {
				t := kern.Score(kern.Dot(qc.Row(h, i), kc.Row(h, j)))
				if n == 0 {
					mx = t
					continue
				}
				x := max(t, mx) - min(t, mx)
				mx = max(mx, t)
				if x>>uint(a.ScoreFrac) > int64(a.ProbFrac) {
					continue
				}
				xf := x & (int64(1)<<uint(a.ScoreFrac) - 1)
				hits[xf>>low]++
				if a.Interp && xf&(int64(1)<<low-1) != 0 {
					hits[xf>>low+1]++
				}
			}
		}
	}
	return hits
}

// faultyCodes is reference.Attend's hardware path with exp ROM entry e
// changed by delta.
func faultyCodes(d *dataflow.Design, q, k, v *reference.Tensor, e int, delta int64) ([]int64, *reference.Kernel) {
	a, _ := d.ArithSpec()
	kern, _ := reference.NewKernel(a, d.Model.HeadDim, d.Model.Scale)
	kern.FitScales(q, k, v)
	kern.ExpLUT = slices.Clone(kern.ExpLUT)
	kern.ExpLUT[e] += delta
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	out := make([]int64, len(q.Data))
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			kern.Row(qc, kc, vc, d.Mask(), h, i, out)
		}
	}
	return out, kern
}

func TestPlantedLUTFaultFails(t *testing.T) {
	hdltest.Need(t, "verilator")
	d := plantedPoint.design(t)
	q, k, v := plantedPoint.inputs(t, d)
	good, err := attend(d, q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	hits := lutHits(d, good.Kernel, q, k, v)
	e := 1 // the most used entry after E[0] (1.0, also a constant in the PE)
	for i := 2; i < len(hits); i++ {
		if hits[i] > hits[e] {
			e = i
		}
	}
	const delta = 3
	want, _ := faultyCodes(d, q, k, v, e, delta)
	if hits[e] == 0 || slices.Equal(want, good.Codes) {
		t.Fatalf("entry %d (hits %v) does not change the output: choose other data", e, hits)
	}
	t.Logf("exp ROM entry %d (+%d) is used %d times (hits %v)", e, delta, hits[e], hits)
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	// The planted bug: one wrong exp ROM entry.
	lut, w := good.Kernel.ExpLUT, good.Kernel.A.ProbFrac+1
	plant(t, r, "swat_exp_rom.v", romEntry(e, w, lut[e]), romEntry(e, w, lut[e]+delta))
	res, err := runRTL(r, d, q, k, v, 3, 0, newConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Report())
	if res.Pass || res.CodeErrors == 0 {
		t.Fatalf("co-simulation passed with a wrong exp ROM entry")
	}
	if res.CycleErrors != 0 {
		t.Errorf("a wrong ROM entry changed the timing: %d cycle errors", res.CycleErrors)
	}
	if !slices.Equal(res.Codes, want) {
		t.Errorf("the RTL with the fault does not match the reference with the same fault")
	}
}

func TestPlantedExtraStageFails(t *testing.T) {
	hdltest.Need(t, "verilator")
	d := plantedPoint.design(t)
	// The planted bug: RTL with one exp register more than d's contract,
	// compared with d's model.
	longer := *d
	longer.HW.Latency.Exp++
	r, err := hdlgen.Generate(&longer)
	if err != nil {
		t.Fatal(err)
	}
	res := plantedRuns(t, d, r, "beat")
	blocks := int64(dataflow.NewSchedule(d).Blocks() * d.Model.Heads)
	if res[0].RTLCycles != res[0].ModelCycles+blocks {
		t.Errorf("RTL %d cycles, want the model's %d + one per block (%d)", res[0].RTLCycles, res[0].ModelCycles, blocks)
	}
}

// romEntry is the exp ROM's line that sets entry e to the w-bit value v.
func romEntry(e, w int, v int64) string { return fmt.Sprintf("    rom[%d] = %d'd%d;\n", e, w, v) }

// plant replaces old (which must occur exactly once) with new in the
// generated file name: a bug planted by the test, never by the emitter.
func plant(t *testing.T, r *hdlgen.RTL, name, old, new string) {
	t.Helper()
	for i, f := range r.Verilog {
		if f.Name != name {
			continue
		}
		if n := strings.Count(f.Text, old); n != 1 {
			t.Fatalf("%s: %q occurs %d times, want once (the emitter changed: update the planted bug)", name, old, n)
		}
		r.Verilog[i].Text = strings.Replace(f.Text, old, new, 1)
		return
	}
	t.Fatalf("no generated file %s", name)
}

// plantedCosim co-simulates the planted point with a bug planted in the
// controller (old replaced by new) and wants the run to fail on cycles
// only, with an error message containing want.
func plantedCosim(t *testing.T, old, new, want string) {
	t.Helper()
	hdltest.Need(t, "verilator")
	d := plantedPoint.design(t)
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	plant(t, r, "swat_ctrl.v", old, new)
	plantedRuns(t, d, r, want)
}

// plantedRuns co-simulates r, which carries a planted timing bug, against
// d's model without and with stalls (0% and 25%), and wants each run to
// fail on cycles only, with an error message containing want.
func plantedRuns(t *testing.T, d *dataflow.Design, r *hdlgen.RTL, want string) []*Result {
	t.Helper()
	q, k, v := plantedPoint.inputs(t, d)
	return plantedCheck(t, d, r, q, k, v, want)
}

// plantedCheck is plantedRuns on the inputs q, k, v.
func plantedCheck(t *testing.T, d *dataflow.Design, r *hdlgen.RTL, q, k, v *reference.Tensor, want string) []*Result {
	t.Helper()
	var out []*Result
	for _, pct := range []int{0, 25} {
		res, err := runRTL(r, d, q, k, v, 3, pct, newConfig(nil))
		if err != nil {
			t.Fatal(err)
		}
		t.Log(res.Report())
		if res.Pass || res.CycleErrors == 0 {
			t.Fatalf("stalls %d%%: co-simulation passed with the planted bug", pct)
		}
		if res.CodeErrors != 0 {
			t.Errorf("stalls %d%%: %d code errors; the planted bug should change only the timing", pct, res.CodeErrors)
		}
		if !strings.Contains(strings.Join(res.Errors, "\n"), want) {
			t.Errorf("stalls %d%%: no error mentions %q: %s", pct, want, res.Report())
		}
		out = append(out, res)
	}
	return out
}

const doneLine = "  assign done     = phase == PH_DONE;\n"

func TestPlantedEarlyDoneFails(t *testing.T) {
	// done one cycle early: high with the last o beat on offer.
	plantedCosim(t, doneLine, "  assign done     = phase == PH_DONE || (o_valid && o_ready && head_end && cnt == rows - C_ONE);\n", "done rose")
}

func TestPlantedLateDoneFails(t *testing.T) {
	plantedCosim(t, doneLine, `  reg done_q;
  always @(posedge clk) done_q <= !rst && phase == PH_DONE;
  assign done     = done_q;
`, "done rose")
}

func TestPlantedDoneFallsFails(t *testing.T) {
	// done high for 10 cycles only.
	plantedCosim(t, doneLine, `  reg [3:0] done_n;
  always @(posedge clk) done_n <= (rst || phase != PH_DONE) ? 4'd0 : (done_n == 4'd15 ? done_n : done_n + 4'd1);
  assign done     = phase == PH_DONE && done_n < 4'd10;
`, "done fell")
}

func TestPlantedLateExtraBeatFails(t *testing.T) {
	// One more o beat, 60 cycles after done: only a drain of more than 60
	// cycles sees it.
	plantedCosim(t, "  assign o_valid  = phase == PH_OUT;\n", `  reg [6:0] extra_n;
  always @(posedge clk) extra_n <= (rst || phase != PH_DONE) ? 7'd0 : (extra_n == 7'd127 ? extra_n : extra_n + 7'd1);
  assign o_valid  = phase == PH_OUT || (phase == PH_DONE && extra_n == 7'd60);
`, "o: ")
}

// TestPlantedFlashJumpBubbleFails: a flash controller that waits one cycle
// more than the model before the first key after the jump from the pinned
// tiles to the window's stays correct but slower: the cycle comparison
// must fail, the codes must not. The point issues a key every cycle
// (Period 1), so the bubble cannot hide in the issue spacing.
func TestPlantedFlashJumpBubbleFails(t *testing.T) {
	hdltest.Need(t, "verilator")
	i := slices.IndexFunc(matrix, func(p point) bool { return p.name == "flash-bidir-sinks-t1-c1" })
	pt := matrix[i]
	d := pt.design(t)
	if p := d.Timing().Period(); p != 1 {
		t.Fatalf("%s: Period %d, want 1", pt.name, p)
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	issueLine := "  assign issue   = (phase == PH_SWP) && can && ((src != SRC_STR) || (k_valid && v_valid));\n"
	plant(t, r, "swat_ctrl.v", issueLine, "  reg jumped;\n"+strings.Replace(issueLine, "can &&", "can && !jumped &&", 1))
	jumpLine := "  wire                jump = !glob && (key1 < tl);\n"
	plant(t, r, "swat_ctrl.v", jumpLine, jumpLine+
		"  always @(posedge clk) jumped <= !rst && issue && tend && !more && jump;\n")
	q, k, v := pt.inputs(t, d)
	plantedCheck(t, d, r, q, k, v, "beat")
}
