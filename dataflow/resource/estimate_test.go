package resource

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

func TestDSPTiles(t *testing.T) {
	// Counts Yosys 0.23 synth_xilinx reported for these signed
	// multipliers of the generated RTL (xc7), and mul2dsp's split with a
	// 27-bit A port (xcup).
	for _, c := range []struct {
		f          Family
		a, b, want int
	}{
		{XC7, 48, 26, 6}, // fixed16 lane: acc x {0, r}
		{XC7, 36, 15, 2}, // fixed16 score: dot x coefficient
		{XC7, 41, 17, 2}, // fixed16 l x alpha
		{XC7, 16, 16, 1}, // fixed16 dot
		{XC7, 16, 17, 1}, // fixed16 p x v
		{XC7, 32, 14, 2}, // fixed8 lane
		{XC7, 40, 18, 2}, // fixed12 lane
		{XC7, 8, 8, 1},   // fixed8 dot
		{XC7, 3, 4, 0},   // too small: LUTs
		{XC7, 26, 17, 2}, // one bit over the DSP48E1's A port
		{XCUP, 26, 17, 1},
		{XCUP, 27, 18, 1},
		{XCUP, 28, 18, 2},
		{XCUP, 48, 26, 6}, // 17 + 31: the remainder is split again
	} {
		if got := dspTiles(c.f, c.a, c.b); got != c.want {
			t.Errorf("%s: dspTiles(%d, %d) = %d, want %d", c.f, c.a, c.b, got, c.want)
		}
	}
}

// TestEmbeddedModel checks that the embedded coefficients match the
// features (the hdlgen/synth fit tests check their values).
func TestEmbeddedModel(t *testing.T) {
	if _, err := ParseModel(coefJSON); err != nil {
		t.Fatal(err)
	}
	bad := []byte(`{"families": {"xc7": {"lut": {"features": ["lane_add"], "coef": [1]}}}}`)
	if _, err := ParseModel(bad); err == nil || !strings.Contains(err.Error(), "re-run the fit") {
		t.Errorf("a model with stale features: error %v", err)
	}
}

// TestFitRecovers fits counts made from known coefficients and the exact
// parts (plus a 1% multiplicative wobble) on random design points and checks that the fit
// gives back coefficients that reproduce the counts.
func TestFitRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	want := map[string][]float64{}
	for _, q := range Quantities {
		for range FeatureNames(q) {
			want[q] = append(want[q], 0.5+4*rng.Float64())
		}
	}
	var samples []Sample
	for len(samples) < 120 {
		p := randomParams(t, rng)
		f := Families[len(samples)%2]
		var r Resources
		for _, q := range Quantities {
			y := p.Exact(q, f)
			for i, x := range p.Features(q, f) {
				y += want[q][i] * x
			}
			y *= 1 + 0.01*(2*rng.Float64()-1)
			switch q {
			case QLUT:
				r.LUT = int(math.Round(y))
			case QFF:
				r.FF = int(math.Round(y))
			default:
				r.LUTRAM = int(math.Round(y))
			}
		}
		samples = append(samples, Sample{Params: p, Family: f, Measured: r})
	}
	m, err := Fit(samples)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Errors(samples) {
		if e.Resource != "DSP" && e.Resource != "BRAM36" && e.MaxPct > 1.5 {
			t.Errorf("%s %s %s: fit error %.2f%% on counts within 1%% of a linear formula", e.Family, e.Arch, e.Resource, e.MaxPct)
		}
	}
}

// randomParams is a random valid design point's parameters.
func randomParams(t *testing.T, rng *rand.Rand) *Params {
	for {
		d := 8 << rng.IntN(4)
		vw := 1 << rng.IntN(4)
		n := 64 << rng.IntN(5)
		sets := []string{"arch=" + []string{"swat", "dense"}[rng.IntN(2)], "arith=" + []string{"fixed8", "fixed12", "fixed16"}[rng.IntN(3)],
			fmt.Sprintf("hw.pes=%d", 1+rng.IntN(8)), fmt.Sprintf("hw.vector_width=%d", min(vw, d)), fmt.Sprintf("model.head_dim=%d", d),
			fmt.Sprintf("model.seq_len=%d", n), fmt.Sprintf("model.window=%d", 1+rng.IntN(n)), fmt.Sprintf("model.sinks=%d", rng.IntN(3)),
			fmt.Sprintf("hw.latency.score=%d", 1+rng.IntN(3)), fmt.Sprintf("hw.latency.exp=%d", 1+rng.IntN(3)),
			fmt.Sprintf("hw.latency.acc=%d", 1+rng.IntN(3)), fmt.Sprintf("hw.latency.norm=%d", 1+rng.IntN(3)),
			fmt.Sprintf("hw.latency.recip=%d", 1+rng.IntN(2)), fmt.Sprintf("hw.overlap=%t", rng.IntN(4) == 0)}
		des, err := dataflow.Load("", sets)
		if err != nil {
			continue
		}
		p, err := Derive(des)
		if err != nil {
			continue
		}
		return p
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

// TestLaneRegistersKept checks the lane's flip-flops that the formulas
// say each family keeps (laneMulRegFF + laneFF) against Yosys 0.23 runs
// of swat_lane alone (synth_xilinx -family F -top swat_lane on the
// generated lane, hw.pes 1, head_dim 8, vector_width 2), which no fit
// used: on xc7 the product registers go into the DSP48E1s except the low
// 17 bits of each earlier tile of a split product and, with a sum wider
// than 48 bits, the sum's registers; on xcup every bit the products can
// set stays. Yosys drops a register bit the saturation never reads, so
// a stage may keep one bit less than counted.
func TestLaneRegistersKept(t *testing.T) {
	for _, c := range []struct {
		arith          string
		acc, norm      int
		xc7, xcup, tol int
	}{
		{"fixed8", 1, 1, 0, 0, 0},
		{"fixed8", 1, 2, 46, 46, 0},
		{"fixed8", 1, 3, 73, 73, 1},
		{"fixed8", 2, 1, 0, 52, 0},
		{"fixed8", 2, 2, 17, 64, 0},
		{"fixed8", 2, 3, 44, 91, 1},
		{"fixed8", 3, 1, 0, -1, 0},
		{"fixed16", 2, 2, 74, 107, 0},
		{"fixed16", 3, 1, 100, 133, 0},
	} {
		d, err := dataflow.Load("", []string{"arith=" + c.arith, "hw.pes=1", "hw.vector_width=2", "model.head_dim=8",
			"model.seq_len=128", "model.window=16", fmt.Sprintf("hw.latency.acc=%d", c.acc), fmt.Sprintf("hw.latency.norm=%d", c.norm)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Derive(d)
		if err != nil {
			t.Fatal(err)
		}
		for f, want := range map[Family]int{XC7: c.xc7, XCUP: c.xcup} {
			if want < 0 {
				continue // not measured
			}
			got := p.laneMulRegFF(f) + p.laneFF()
			if got < want || got > want+c.tol {
				t.Errorf("%s acc=%d norm=%d %s: %d lane flip-flops counted, Yosys keeps %d", c.arith, c.acc, c.norm, f, got, want)
			}
		}
	}
}
