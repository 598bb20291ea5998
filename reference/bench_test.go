package reference_test

import (
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// benchAttend runs Attend on N=4096, D=64, a causal window of 512 (random
// normal data, seeded) and reports MAC/s, counting 2*D MACs per attended
// key (q.k and p*v).
func benchAttend(b *testing.B, spec string) {
	const n, d, w = 4096, 64, 512
	rng := rand.New(rand.NewPCG(41, 42))
	q, k, v := randTensor(rng, 0, n, d, 1), randTensor(rng, 0, n, d, 1), randTensor(rng, 0, n, d, 1)
	a, err := reference.ParseArith(spec)
	if err != nil {
		b.Fatal(err)
	}
	m := reference.Mask{N: n, Window: w, Causal: true}
	var macs float64
	for i := range n {
		macs += float64(2 * d * m.Count(i))
	}
	opt := reference.Options{Arith: a, Mask: m}
	b.ResetTimer()
	for b.Loop() {
		if _, err := reference.Attend(q, k, v, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(macs*float64(b.N)/b.Elapsed().Seconds(), "MAC/s")
}

// BenchmarkHardwarePath times the fixed16 bit-exact datapath.
func BenchmarkHardwarePath(b *testing.B) { benchAttend(b, "fixed16") }

// BenchmarkFloat64Path times the float64 semantic reference.
func BenchmarkFloat64Path(b *testing.B) { benchAttend(b, "float64") }

// BenchmarkRowFold times one processing element's inner loop on fixed16,
// D=64: 512 keys folded into a row (Dot, Score, Update), per key.
func BenchmarkRowFold(b *testing.B) {
	const d, keys = 64, 512
	rng := rand.New(rand.NewPCG(43, 44))
	k, err := reference.NewKernel(mustArith(b, "fixed16"), d, 0)
	if err != nil {
		b.Fatal(err)
	}
	qc := k.Quantize(randTensor(rng, 0, 1, d, 1), k.QFrac)
	kc, vc := k.Quantize(randTensor(rng, 0, keys, d, 1), k.KFrac), k.Quantize(randTensor(rng, 0, keys, d, 1), k.VFrac)
	var st reference.RowState
	for b.Loop() {
		st.Reset(d)
		for j := range keys {
			k.Update(&st, k.Score(k.Dot(qc.Data, kc.Row(0, j))), vc.Row(0, j))
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*keys), "ns/key")
}
