package synth

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
)

// fitSeed draws TestFitYosysFreshPoint's design point.
var fitSeed = flag.Uint64("fit-seed", 6, "seed of the fresh held-out point TestFitYosysFreshPoint synthesizes")

// heldOutBound is the documented held-out error per resource (docs/hdl.md,
// "Fitted resource formulas"), in percent: the largest error on the
// held-out set, over families and archs, rounded up.
var heldOutBound = map[string]float64{"LUT": 10, "FF": 4, "DSP": 0, "BRAM36": 0, "LUTRAM": 12}

// moduleFile is a path relative to the module root.
func moduleFile(path string) string { return filepath.Join("..", "..", path) }

func readFit(t *testing.T, path string) []Measurement {
	t.Helper()
	ms, err := ReadCSV(moduleFile(path))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestFitCSVRoundTrip: the CSV reads back what was written.
func TestFitCSVRoundTrip(t *testing.T) {
	ms := readFit(t, HeldOutCSV)
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, FormatCSV(ms), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ms) {
		t.Errorf("CSV round trip differs")
	}
	if _, err := ReadCSV(moduleFile("go.mod")); err == nil {
		t.Errorf("a file that is no fit CSV reads without error")
	}
}

// TestFitSetsAreTheSeededDraws: the CSVs hold exactly the documented
// seeded sets, on both families, and no held-out point is a training
// point.
func TestFitSetsAreTheSeededDraws(t *testing.T) {
	for _, c := range []struct {
		path string
		want []Point
	}{{TrainingCSV, TrainingSet()}, {HeldOutCSV, HeldOutSet()}} {
		var got []Point
		for i, m := range readFit(t, c.path) {
			if m.Family != resource.Families[i%len(resource.Families)] {
				t.Errorf("%s row %d: family %s", c.path, i+2, m.Family)
			}
			if i%len(resource.Families) == 0 {
				got = append(got, m.Point)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: the points are not the seeded draw: re-run go run ./hdlgen/synth/cmd/fitdata", c.path)
		}
	}
	train := TrainingSet()
	for _, p := range HeldOutSet() {
		if slices.Contains(train, p) {
			t.Errorf("held-out point %s is a training point", p.Label())
		}
	}
}

// TestFitDataCurrent: every measurement is of the Verilog the generator
// emits today; after an RTL change the data and the fit are stale.
func TestFitDataCurrent(t *testing.T) {
	for _, path := range []string{TrainingCSV, HeldOutCSV} {
		for _, m := range readFit(t, path) {
			d, err := m.Point.Design()
			if err != nil {
				t.Fatal(err)
			}
			r, err := hdlgen.Generate(d)
			if err != nil {
				t.Fatal(err)
			}
			if h := r.Hash(); h != m.RTL {
				t.Fatalf("%s: %s was measured on RTL %s, the generator emits %s: re-run go run ./hdlgen/synth/cmd/fitdata (docs/hdl.md)",
					path, m.Point.Label(), m.RTL, h)
			}
		}
	}
}

// TestFitModelReproduced refits the training CSV and compares with the
// embedded coefficients, so that stale coefficients fail.
func TestFitModelReproduced(t *testing.T) {
	m, err := FitModel(readFit(t, TrainingCSV))
	if err != nil {
		t.Fatal(err)
	}
	got := resource.Fitted()
	if m.Yosys != got.Yosys || m.Points != got.Points || m.Training != got.Training {
		t.Errorf("provenance %q %d %q, embedded %q %d %q", m.Yosys, m.Points, m.Training, got.Yosys, got.Points, got.Training)
	}
	for _, f := range resource.Families {
		for _, q := range resource.Quantities {
			want, have := m.Families[f][q], got.Families[f][q]
			if !slices.Equal(want.Features, have.Features) || len(want.Coef) != len(have.Coef) {
				t.Fatalf("%s %s: features %v, embedded %v", f, q, want.Features, have.Features)
			}
			for i := range want.Coef {
				if math.Abs(want.Coef[i]-have.Coef[i]) > 1e-9*math.Max(1, math.Abs(want.Coef[i])) {
					t.Errorf("%s %s %s: refit %g, embedded %g: re-run go run ./hdlgen/synth/cmd/fitdata -refit", f, q, want.Features[i], want.Coef[i], have.Coef[i])
				}
			}
		}
	}
}

// TestFitHeldOut checks the embedded formulas on the held-out set: the
// error table of docs/hdl.md is the one they give, and every error is
// within the documented bound.
func TestFitHeldOut(t *testing.T) {
	samples, err := Samples(readFit(t, HeldOutCSV))
	if err != nil {
		t.Fatal(err)
	}
	errs := resource.Fitted().Errors(samples)
	for _, e := range errs {
		if e.MaxPct > heldOutBound[e.Resource] {
			t.Errorf("%s %s %s: held-out error up to %.1f%%, documented %g%%", e.Family, e.Arch, e.Resource, e.MaxPct, heldOutBound[e.Resource])
		}
	}
	for _, name := range []string{"README.md", "docs/hdl.md"} {
		b, err := os.ReadFile(moduleFile(name))
		if err != nil {
			t.Fatal(err)
		}
		if table := FormatErrors(errs); !bytes.Contains(b, []byte(table)) {
			t.Errorf("%s lacks the held-out error table; it is now\n%s", name, table)
		}
	}
	doc, err := os.ReadFile(moduleFile("docs/hdl.md"))
	if err != nil {
		t.Fatal(err)
	}
	ff := FFComparison(append(readFit(t, TrainingCSV), readFit(t, HeldOutCSV)...))
	if !strings.Contains(strings.ReplaceAll(string(doc), "\n", " "), ff) {
		t.Errorf("docs/hdl.md lacks the sentence\n%s", ff)
	}
}

// TestFitLeaveOneOut recomputes the training set's leave-one-point-out
// table (how the features were chosen) and finds it in docs/hdl.md.
func TestFitLeaveOneOut(t *testing.T) {
	errs, err := LeaveOneOut(readFit(t, TrainingCSV))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(moduleFile("docs/hdl.md"))
	if err != nil {
		t.Fatal(err)
	}
	if table := FormatErrors(errs); !bytes.Contains(b, []byte(table)) {
		t.Errorf("docs/hdl.md lacks the leave-one-out table; it is now\n%s", table)
	}
}

// TestFitYosysFreshPoint synthesizes a held-out design point that neither
// CSV holds, drawn from -fit-seed, on both families, and checks the
// estimate within the documented held-out error.
func TestFitYosysFreshPoint(t *testing.T) {
	hdltest.Need(t, "yosys")
	if testing.Short() {
		t.Skip("runs Yosys twice")
	}
	pt := DrawPoints(*fitSeed, 1, TrainingSpace, append(TrainingSet(), HeldOutSet()...))[0]
	t.Logf("seed %d: %s", *fitSeed, pt.Label())
	ms, err := Measure(context.Background(), []Point{pt}, resource.Families, 1, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := Samples(ms)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range resource.Fitted().Errors(samples) {
		t.Logf("%s %s: error %.1f%%", e.Family, e.Resource, e.MaxPct)
		if e.MaxPct > heldOutBound[e.Resource] {
			s := samples[slices.Index(resource.Families, e.Family)]
			t.Errorf("%s %s: Yosys %v, estimate %v: error %.1f%% > documented %g%%", e.Family, e.Resource,
				s.Measured, resource.Fitted().Estimate(s.Params, e.Family), e.MaxPct, heldOutBound[e.Resource])
		}
	}
	if !strings.HasPrefix(ms[0].Yosys, "Yosys") {
		t.Errorf("yosys version %q", ms[0].Yosys)
	}
}

// TestCoIssueMatchesRTL: the estimate's CoIssue (the overlapped core's
// second key path, counted in the FF, LUT and LUTRAM formulas) is set
// exactly when the generator emits that path (the second V FIFO, vfb), on
// seeded overlapped design points of both archs and on points without
// hw.overlap.
func TestCoIssueMatchesRTL(t *testing.T) {
	pts := DrawPoints(41, 24, overlapOn(SmallSpace), nil)
	pts = append(pts, DrawPoints(42, 16, overlapOn(TrainingSpace), nil)...)
	pts = append(pts, DrawPoints(43, 4, SmallSpace, nil)...)
	seen := map[bool]int{}
	for _, pt := range pts {
		d, err := pt.Design()
		if err != nil {
			t.Fatal(err)
		}
		p, err := resource.Derive(d)
		if err != nil {
			t.Fatal(err)
		}
		r, err := hdlgen.Generate(d)
		if err != nil {
			t.Fatal(err)
		}
		emitted := false
		for _, f := range r.Verilog {
			emitted = emitted || (f.Name == "swat_core.v" && strings.Contains(f.Text, "vfb"))
		}
		if p.CoIssue != emitted {
			t.Errorf("%s: CoIssue %t, the generated core has the second key path: %t", pt.Label(), p.CoIssue, emitted)
		}
		seen[emitted]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("the points cover co-issue %v times; both cases are needed", seen)
	}
}
