package reference_test

import (
	"encoding/json"
	"math"
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
	var tt *reference.Tensor
	switch len(shape) {
	case 2:
		tt = reference.NewTensor(0, shape[0], shape[1])
	case 3:
		tt = reference.NewTensor(shape[0], shape[1], shape[2])
	default:
		t.Fatalf("%s: shape %v, want [N,D] or [H,N,D]", path, shape)
	}
	tt.Data = data
	return tt
}

func goldenQKVO(t *testing.T, c goldenCase) (q, k, v, o *reference.Tensor) {
	base := filepath.Join("../testdata/golden", c.Name)
	return readNpy(t, base+"_q.npy"), readNpy(t, base+"_k.npy"), readNpy(t, base+"_v.npy"), readNpy(t, base+"_o.npy")
}

func TestGoldenFloat64AndFixed(t *testing.T) {
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
			for _, name := range []string{"fixed16", "fixed12", "fixed8"} {
				fx, _ := reference.Preset(name)
				res, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: fx})
				if err != nil {
					t.Fatal(err)
				}
				checkFixedBound(t, name, q, k, v, o, mask, res)
			}
		})
	}
}

// gqaCase is a grouped-query case of ../shared/golden/gqa (PyTorch):
// Q is [Hq,N,D], K and V [Hkv,N,D].
type gqaCase struct {
	goldenCase
	Hq  int `json:"Hq"`
	Hkv int `json:"Hkv"`
}

// TestGoldenGQA checks grouped- and multi-query attention against the
// PyTorch cases: float64 within 1e-9 and fixed16 within the error bound
// of checkFixedBound (ARITHMETIC.md), element by element.
func TestGoldenGQA(t *testing.T) {
	const dir = "../../shared/golden/gqa"
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Cases []gqaCase }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) != 2 {
		t.Fatalf("manifest has %d cases, want 2", len(m.Cases))
	}
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			base := filepath.Join(dir, c.Name)
			q, k, v, o := readNpy(t, base+"_q.npy"), readNpy(t, base+"_k.npy"), readNpy(t, base+"_v.npy"), readNpy(t, base+"_o.npy")
			if q.H != c.Hq || k.H != c.Hkv || k.H == q.H {
				t.Fatalf("shapes q %v k %v, manifest Hq %d Hkv %d", q.Shape(), k.Shape(), c.Hq, c.Hkv)
			}
			mask := reference.Mask{Window: c.W, Causal: c.Causal, Global: c.G}
			f64, _ := reference.Preset("float64")
			res, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: f64})
			if err != nil {
				t.Fatal(err)
			}
			if e, _ := reference.Compare(res.O.Data, o.Data); e.MaxAbs > 1e-9 {
				t.Errorf("float64 max-abs %g > 1e-9", e.MaxAbs)
			}
			fx, _ := reference.Preset("fixed16")
			res, err = reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: fx})
			if err != nil {
				t.Fatal(err)
			}
			checkFixedBound(t, "fixed16", q, k, v, o, mask, res)
		})
	}
}

// Measured on the golden cases (max-abs error in output LSBs of 2^-VFrac;
// the largest per-element bound of checkFixedBound and the largest ratio
// error/bound over the elements; rel-L2 and cosine with their derived bounds):
//
//	case                           arith    VFrac max-abs          bound<= err/bound rel-L2 (bound)      cosine (bound)
//	n64_d16_w8_causal              fixed16  12    3.28e-4 1.34 LSB  4.48    0.70     1.77e-4 (1.03e-3)  0.999999985 (0.999999470)
//	n256_d64_w32_bidir_g2          fixed16  12    3.43e-4 1.40 LSB  7.20    0.37     3.13e-4 (3.03e-3)  0.999999953 (0.999995400)
//	n1024_d64_w128_bidir_outliers  fixed16   7    1.47e-2 1.88 LSB 26.14    0.95     3.25e-3 (1.61e-2)  0.999994752 (0.999870847)
//	n2048_d128_w512_causal         fixed16  12    2.99e-4 1.22 LSB 10.39    0.84     6.98e-4 (1.04e-2)  0.999999758 (0.999946156)
//	(same order)                   fixed12  8/8/3/8  4.52 / 4.79 / 2.99 / 4.31 LSB, err/bound <= 0.86
//	(same order)                   fixed8   5/5/0/4  1.75 / 1.53 / 6.88 / 1.93 LSB, err/bound <= 0.87
//
// The outliers case has V max |x| = 145, so VFrac = 7; its elements next to
// large values get large bounds (the MAD and Exp terms scale with |v - o|).

// checkFixedBound holds every output element of a fixed-point run to an
// error bound derived from the arithmetic (ARITHMETIC.md, "Error bound") and
// the data, in output LSBs (2^-VFrac):
//
//	|o_fixed - o| <= Vq + (e^(2 eta) - 1) MAD + Exp + Floor + Recip + 1/2
//
// where o is the golden float64 output and, for the row's keys j with exact
// softmax weights w_j:
//   - Vq = max_j |RNE(v_j) - v_j|: quantising V (1/2 LSB unless saturated);
//   - eta is half the spread over j of the logit error ln2*t_j/2^ScoreFrac -
//     scale*q.k_j (quantised Q and K, the rounded coefficient, the floor in
//     Score); reweighting by factors within e^(+-eta) moves every normalised
//     weight by at most w_j (e^(2 eta) - 1), and sum_j w_j = 1 lets the
//     output move by at most that times MAD = sum_j w_j |v_j - o|;
//   - Exp: the exp unit. Each p and alpha is exact times a factor in the
//     interval of expBound (relative error of the table, interpolation and
//     floors). Key j's weight carries the factor of its own p and of every
//     alpha after it; with P*_j = 2^((t_j - max t)/2^ScoreFrac) the ideal
//     weights and rho_j in [lo_j, hi_j] the product of factors, the output of
//     weights P*_j rho_j differs from that of P*_j by at most
//     sum_j P*_j max(1-lo_j, hi_j-1) |v_j - o~| / sum_j P*_j lo_j;
//   - Floor: l and acc lose < 1 in their floors only when the max grows
//     (alpha < One); with U such steps the quotient moves by at most
//     U (|o| + 1) / (l - U), l >= 2^ProbFrac sum_j P*_j lo_j;
//   - Recip: the truncated reciprocal, |o| 2^(1 - RecipBits);
//   - 1/2: the final RNE.
//
// The only assumption is that no logit saturates (checked). The bound is
// rigorous up to float64 rounding in its own evaluation (a 1e-6 LSB slack).
func checkFixedBound(t *testing.T, name string, q, k, v, o *reference.Tensor, mask reference.Mask, res *reference.Result) {
	t.Helper()
	kern := res.Kernel
	a := kern.A
	m := mask
	m.N = q.N
	lsb := math.Ldexp(1, -kern.VFrac)
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	scale := 1 / math.Sqrt(float64(q.D))
	shift := kern.QFrac + kern.KFrac + a.CoefFrac - a.ScoreFrac
	sLim := int64(1)<<(a.ScoreBits-1) - 1
	sf := math.Ldexp(1, a.ScoreFrac)
	expFactor := func(x int64) (lo, hi float64) {
		if x == 0 {
			return 1, 1 // E[0] = One exactly
		}
		exact, l, h := expBound(a, x)
		return max(l, 0) / exact, h / exact
	}
	var worstRatio, worstErr, worstBound, sumB2, sumO2 float64
	var keys []int
	D := q.D
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			keys = m.Keys(i, keys)
			K := len(keys)
			s := make([]float64, K)
			tt := make([]int64, K)
			lam := make([]float64, K)
			mx := math.Inf(-1)
			var mt int64 = math.MinInt64
			qi, qci := q.Row(h, i), qc.Row(h, i)
			for n, j := range keys {
				var dot float64
				var idot int64
				kcj := kc.Row(h/reference.GroupSize(q, k), j)
				for d, x := range k.Row(h/reference.GroupSize(q, k), j) {
					dot += qi[d] * x
					idot += qci[d] * kcj[d]
				}
				s[n] = dot * scale
				mx = math.Max(mx, s[n])
				tt[n] = (idot * kern.Coef) >> uint(shift) // floor
				if tt[n] >= sLim || tt[n] <= -sLim-1 {
					t.Fatalf("%s row %d key %d: logit saturates; the bound does not apply", name, i, j)
				}
				mt = max(mt, tt[n])
				lam[n] = math.Ln2 * float64(tt[n]) / sf
			}
			// Exact weights, the logit-error spread and the ideal datapath
			// weights P* (relative to the final max).
			w := make([]float64, K)
			pst := make([]float64, K)
			var z, zst float64
			dlo, dhi := math.Inf(1), math.Inf(-1)
			for n := range keys {
				w[n] = math.Exp(s[n] - mx)
				z += w[n]
				d := lam[n] - s[n]
				dlo, dhi = math.Min(dlo, d), math.Max(dhi, d)
				pst[n] = math.Exp2(float64(tt[n]-mt) / sf)
				zst += pst[n]
			}
			for n := range w {
				w[n] /= z
			}
			eta := (dhi - dlo) / 2
			// Factor intervals of p and of the alphas, walking keys in order.
			lo, hi := make([]float64, K), make([]float64, K)
			alo, ahi := make([]float64, K), make([]float64, K) // alpha at step n (1 when the max stays)
			U := 0
			run := tt[0]
			lo[0], hi[0], alo[0], ahi[0] = 1, 1, 1, 1
			for n := 1; n < K; n++ {
				mNew := max(run, tt[n])
				alo[n], ahi[n] = expFactor(mNew - run)
				if mNew > run {
					U++
				}
				run = mNew
				lo[n], hi[n] = expFactor(mNew - tt[n])
			}
			// Multiply in the alphas that follow each key.
			cl, ch := 1.0, 1.0
			var den float64
			for n := K - 1; n >= 0; n-- {
				lo[n] *= cl
				hi[n] *= ch
				cl *= alo[n]
				ch *= ahi[n]
				den += pst[n] * lo[n]
			}
			lPrime := math.Ldexp(den, a.ProbFrac) - float64(U)
			oT, mad, vq, ot := make([]float64, D), make([]float64, D), make([]float64, D), make([]float64, D)
			od := o.Row(h, i)
			for n, j := range keys {
				vr, vcr := v.Row(h/reference.GroupSize(q, k), j), vc.Row(h/reference.GroupSize(q, k), j)
				wt, wn := pst[n]/zst, w[n]
				for d := range D {
					c := float64(vcr[d])
					oT[d] += wt * c
					mad[d] += wn * math.Abs(vr[d]-od[d])
					if e := math.Abs(c*lsb - vr[d]); e > vq[d] {
						vq[d] = e
					}
				}
			}
			for n, j := range keys {
				f := pst[n] * math.Max(1-lo[n], hi[n]-1)
				for d, x := range vc.Row(h/reference.GroupSize(q, k), j) {
					ot[d] += f * math.Abs(float64(x)-oT[d])
				}
			}
			for d := range D {
				expT := ot[d] / den
				oAbs := math.Abs(oT[d]) + expT
				floorT := float64(U) * (oAbs + 1) / lPrime
				if lPrime <= 0 {
					floorT = math.Inf(1)
				}
				recipT := (oAbs + floorT) * math.Ldexp(2, -a.RecipBits)
				logitT := math.Expm1(2*eta) * mad[d] / lsb
				bound := vq[d]/lsb + logitT + expT + floorT + recipT + 0.5 + 1e-6
				got := res.O.Row(h, i)[d]
				err := math.Abs(got-od[d]) / lsb
				if err > bound {
					t.Errorf("%s head %d row %d col %d: error %.3f LSB > bound %.3f (Vq %.3f, logit %.3f, exp %.3f, floor %.3f, recip %.4f)",
						name, h, i, d, err, bound, vq[d]/lsb, logitT, expT, floorT, recipT)
					return
				}
				worstRatio = math.Max(worstRatio, err/bound)
				worstErr = math.Max(worstErr, err)
				worstBound = math.Max(worstBound, bound)
				sumB2 += bound * bound * lsb * lsb
				sumO2 += od[d] * od[d]
			}
		}
	}
	e, _ := reference.Compare(res.O.Data, o.Data)
	// Derived aggregate bounds: ||err||_2 <= ||bound||_2, and the angle
	// between o and o + err has sine at most ||err|| / ||o||.
	relBound := math.Sqrt(sumB2 / sumO2)
	cosBound := math.Sqrt(max(0, 1-relBound*relBound))
	t.Logf("%s: VFrac %d max-abs %.3g (%.2f LSB; bound up to %.2f LSB, worst error/bound %.2f) rel-l2 %.3g (bound %.3g) cos %.9f (bound %.9f)",
		name, kern.VFrac, e.MaxAbs, worstErr, worstBound, worstRatio, e.RelL2, relBound, e.Cosine, cosBound)
	if e.RelL2 > relBound {
		t.Errorf("%s: rel-l2 %g > bound %g", name, e.RelL2, relBound)
	}
	if e.Cosine < cosBound {
		t.Errorf("%s: cosine %.9f < bound %.9f", name, e.Cosine, cosBound)
	}
}
