package resource

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Sample is one synthesized design point: its parameters, the family and
// Yosys's counts.
type Sample struct {
	Params   *Params
	Family   Family
	Measured Resources
}

// Fit fits every family's LUT, FF and LUTRAM formulas to the samples by
// least squares on the relative error (each row weighted by 1/measured,
// so that small and large design points count alike).
func Fit(samples []Sample) (*Model, error) {
	m := &Model{Families: map[Family]map[string]Linear{}}
	for _, f := range Families {
		m.Families[f] = map[string]Linear{}
		for _, q := range Quantities {
			coef, err := fitOne(samples, f, q)
			if err != nil {
				return nil, err
			}
			m.Families[f][q] = Linear{Features: FeatureNames(q), Coef: coef}
		}
	}
	return m, nil
}

// fitOne solves one family's quantity: the features' coefficients for
// what its exact part (Params.Exact) leaves. A quantity that is 0 on every
// sample (no LUTRAM at all) gets zero coefficients; a feature that is 0 on
// every sample gets coefficient 0.
func fitOne(samples []Sample, f Family, q string) ([]float64, error) {
	names := FeatureNames(q)
	var rows [][]float64
	var ys, exact []float64
	for _, s := range samples {
		if y := measured(s.Measured, q); s.Family == f && y > 0 {
			rows, ys = append(rows, s.Params.Features(q, f)), append(ys, y)
			exact = append(exact, s.Params.Exact(q, f))
		}
	}
	used := usedColumns(rows, len(names))
	coef := make([]float64, len(names))
	if len(used) == 0 {
		return coef, nil
	}
	if len(rows) < len(used) {
		return nil, fmt.Errorf("resource fit: %s %s: %d samples for %d features", f, q, len(rows), len(used))
	}
	a := mat.NewDense(len(rows), len(used), nil)
	b := mat.NewVecDense(len(rows), nil)
	for i, r := range rows {
		for j, c := range used {
			a.Set(i, j, r[c]/ys[i])
		}
		b.SetVec(i, 1-exact[i]/ys[i])
	}
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		return nil, fmt.Errorf("resource fit: %s %s: %w (features %v are not independent on the training set)", f, q, err, names)
	}
	for j, c := range used {
		coef[c] = x.AtVec(j)
	}
	return coef, nil
}

// usedColumns are the features that are non-zero on some row.
func usedColumns(rows [][]float64, n int) []int {
	var used []int
	for c := range n {
		for _, r := range rows {
			if r[c] != 0 {
				used = append(used, c)
				break
			}
		}
	}
	return used
}

// measured is a sample's count of a fitted quantity.
func measured(r Resources, q string) float64 {
	switch q {
	case QLUT:
		return float64(r.LUT)
	case QFF:
		return float64(r.FF)
	default:
		return float64(r.LUTRAM)
	}
}

// Error is the estimate's error on a set of samples for one family, arch
// and resource: the mean and largest absolute error in percent of the
// measured count (a resource measured 0 and estimated 0 counts as 0%).
type Error struct {
	Family   Family
	Arch     string
	Resource string
	N        int
	MeanPct  float64
	MaxPct   float64
}

// ErrorResources are the resources the error tables report.
var ErrorResources = []string{"LUT", "FF", "DSP", "BRAM36", "LUTRAM"}

// Errors compares the model's estimate with every sample, per family,
// arch (swat, dense) and resource, in that order.
func (m *Model) Errors(samples []Sample) []Error {
	var out []Error
	for _, f := range Families {
		for _, arch := range []string{"swat", "dense"} {
			for _, res := range ErrorResources {
				e := Error{Family: f, Arch: arch, Resource: res}
				for _, s := range samples {
					if s.Family != f || archOf(s.Params) != arch {
						continue
					}
					pct := relErr(pick(m.Estimate(s.Params, f), res), pick(s.Measured, res))
					e.N++
					e.MeanPct += pct
					e.MaxPct = math.Max(e.MaxPct, pct)
				}
				if e.N > 0 {
					e.MeanPct /= float64(e.N)
					out = append(out, e)
				}
			}
		}
	}
	return out
}

func archOf(p *Params) string {
	if p.Dense {
		return "dense"
	}
	return "swat"
}

// pick is one resource's count.
func pick(r Resources, res string) float64 {
	switch res {
	case "LUT":
		return float64(r.LUT)
	case "FF":
		return float64(r.FF)
	case "DSP":
		return float64(r.DSP)
	case "BRAM36":
		return r.BRAM36
	default:
		return float64(r.LUTRAM)
	}
}

// relErr is |est - got| / got in percent; 0 when both are 0, 100 when
// only the measurement is.
func relErr(est, got float64) float64 {
	switch {
	case got == 0 && est == 0:
		return 0
	case got == 0:
		return 100
	}
	return 100 * math.Abs(est-got) / got
}
