package reference_test

import (
	"math"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

func TestScratch(t *testing.T) {
	for _, c := range loadGolden(t) {
		q, k, v, o := goldenQKVO(t, c)
		mx := func(x []float64) float64 { m := 0.0; for _, y := range x { m = math.Max(m, math.Abs(y)) }; return m }
		mask := reference.Mask{Window: c.W, Causal: c.Causal, Global: c.G}
		for _, an := range []string{"fixed16", "fixed12", "fixed8"} {
			fx, _ := reference.Preset(an)
			res, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: fx})
			if err != nil { t.Fatal(err) }
			e, _ := reference.Compare(res.O.Data, o.Data)
			kern := res.Kernel
			// float64 on dequantised inputs
			dq := func(x *reference.Tensor, f int) *reference.Tensor {
				y := reference.NewTensor(0, x.N, x.D)
				ff := reference.Format{Bits: fx.InBits, Frac: f}
				for i, z := range x.Data { y.Data[i] = ff.ToFloat(ff.Quantize(z, reference.RoundHalfEven)) }
				return y
			}
			f64, _ := reference.Preset("float64")
			rq, _ := reference.Attend(dq(q, kern.QFrac), dq(k, kern.KFrac), dq(v, kern.VFrac), reference.Options{Mask: mask, Arith: f64})
			e2, _ := reference.Compare(res.O.Data, rq.O.Data)
			e3, _ := reference.Compare(rq.O.Data, o.Data)
			lsb := math.Ldexp(1, -kern.VFrac)
			t.Logf("%s %s maxq %.3g maxk %.3g maxv %.3g fr %d %d %d | vs golden %.3g (%.3f LSB) rl2 %.3g cos %.9f | vs qfloat %.3g (%.3f LSB) | qfloat vs golden %.3g (%.3f LSB)",
				c.Name, an, mx(q.Data), mx(k.Data), mx(v.Data), kern.QFrac, kern.KFrac, kern.VFrac, e.MaxAbs, e.MaxAbs/lsb, e.RelL2, e.Cosine, e2.MaxAbs, e2.MaxAbs/lsb, e3.MaxAbs, e3.MaxAbs/lsb)
		}
	}
}
