package resource

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Model is the fitted coefficients of every family's LUT, FF and LUTRAM
// formulas, as written by the collection command (hdlgen/synth/cmd/fitdata)
// into coef.json and embedded here.
type Model struct {
	Yosys    string                       `json:"yosys"`    // the Yosys version of the training counts
	Training string                       `json:"training"` // the training set's CSV (module-relative)
	Points   int                          `json:"points"`   // training design points per family
	Families map[Family]map[string]Linear `json:"families"`
}

// Linear is one fitted formula: the sum of coefficient x feature.
type Linear struct {
	Features []string  `json:"features"`
	Coef     []float64 `json:"coef"`
}

// eval is the quantity's formula on the parameters, rounded, at least 0.
func (m *Model) eval(q string, p *Params, f Family) int {
	s := p.Exact(q, f)
	coef := m.Families[f][q].Coef
	for i, x := range p.Features(q, f) {
		if i < len(coef) {
			s += coef[i] * x
		}
	}
	return max(0, int(math.Round(s)))
}

//go:embed coef.json
var coefJSON []byte

// fitted is the embedded model; fittedErr says why it does not match the
// features (a stale coef.json: TestEmbeddedModel fails, Estimate returns
// the error, and the refit command still builds).
var fitted, fittedErr = ParseModel(coefJSON)

// ParseModel reads a model and checks that it has every family's
// quantities with the current features. A model that parses but does not
// match is returned with the error.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return &Model{}, fmt.Errorf("resource model: %w", err)
	}
	for _, f := range Families {
		for _, q := range Quantities {
			l := m.Families[f][q]
			if !slices.Equal(l.Features, FeatureNames(q)) || len(l.Coef) != len(l.Features) {
				return &m, fmt.Errorf("resource model: %s %s has features %v, the code %v: re-run the fit (docs/hdl.md)", f, q, l.Features, FeatureNames(q))
			}
		}
	}
	return &m, nil
}

// Fitted returns the embedded model.
func Fitted() *Model { return fitted }

// JSON is the model's file form (indented, newline-terminated).
func (m *Model) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// Estimate is the model's estimate of the parameters' core on the family:
// the structural DSP and block RAM counts and the fitted LUT, FF and
// LUTRAM formulas.
func (m *Model) Estimate(p *Params, f Family) Resources {
	return Resources{
		DSP:    p.P * p.peDSP(f),
		BRAM36: p.bram() + p.descBRAM(),
		LUT:    m.eval(QLUT, p, f),
		FF:     m.eval(QFF, p, f),
		LUTRAM: m.eval(QLUTRAM, p, f),
	}
}
