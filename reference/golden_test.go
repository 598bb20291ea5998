package reference_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/sbinet/npyio"

	"github.com/swatsim/swatsim/reference"
)

type goldenCase struct {
	Name   string `json:"name"`
	N      int    `json:"N"`
	D      int    `json:"D"`
	W      int    `json:"W"`
	Causal bool   `json:"causal"`
	G      int    `json:"G"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("../testdata/golden/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Cases []goldenCase }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) != 4 {
		t.Fatalf("manifest has %d cases, want 4", len(m.Cases))
	}
	return m.Cases
}

func readNpy(t *testing.T, path string) *reference.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	shape := r.Header.Descr.Shape
	var data []float64
	if err := r.Read(&data); err != nil {
		t.Fatal(err)
	}
	tt := reference.NewTensor(0, shape[0], shape[1])
	tt.Data = data
	return tt
}

func goldenQKVO(t *testing.T, c goldenCase) (q, k, v, o *reference.Tensor) {
	base := filepath.Join("../testdata/golden", c.Name)
	return readNpy(t, base+"_q.npy"), readNpy(t, base+"_k.npy"), readNpy(t, base+"_v.npy"), readNpy(t, base+"_o.npy")
}

// fixed16Bound is the max-abs error against float64 that fixed16 guarantees
// on the golden cases (see README).
const fixed16Bound = 4e-3

func TestGoldenFloat64AndFixed16(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			q, k, v, o := goldenQKVO(t, c)
			mask := reference.Mask{Window: c.W, Causal: c.Causal, Global: c.G}
			f64, _ := reference.Preset("float64")
			res, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: f64})
			if err != nil {
				t.Fatal(err)
			}
			e, _ := reference.Compare(res.O.Data, o.Data)
			if e.MaxAbs > 1e-9 {
				t.Errorf("float64 max-abs %g > 1e-9", e.MaxAbs)
			}
			fx, _ := reference.Preset("fixed16")
			res, err = reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: fx})
			if err != nil {
				t.Fatal(err)
			}
			e, _ = reference.Compare(res.O.Data, o.Data)
			t.Logf("fixed16: max-abs %.3g rel-l2 %.3g cos %.8f", e.MaxAbs, e.RelL2, e.Cosine)
			if e.MaxAbs > fixed16Bound {
				t.Errorf("fixed16 max-abs %g > bound %g", e.MaxAbs, fixed16Bound)
			}
		})
	}
}
