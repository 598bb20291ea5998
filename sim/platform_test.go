package sim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim"
)

func randTensor(r *rand.Rand, h, n, d int) *reference.Tensor {
	t := reference.NewTensor(h, n, d)
	for i := range t.Data {
		t.Data[i] = r.NormFloat64()
	}
	return t
}

func design(t *testing.T, sets ...string) *dataflow.Design {
	t.Helper()
	d, err := dataflow.Load("", sets)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestQuickFunctional(t *testing.T) {
	d := design(t, "model.seq_len=200", "model.window=32", "hw.pes=4", "model.heads=2", "model.head_dim=16", "hw.vector_width=4")
	r := rand.New(rand.NewPCG(1, 2))
	q, k, v := randTensor(r, 2, 200, 16), randTensor(r, 2, 200, 16), randTensor(r, 2, 200, 16)
	res, err := sim.Run(d, &sim.Inputs{Q: q, K: k, V: v}, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := d.ArithSpec()
	ref, err := reference.Attend(q, k, v, reference.Options{Mask: d.Mask(), Arith: a})
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range ref.Codes {
		if ref.Codes[i] != res.Codes[i] {
			bad++
		}
	}
	t.Logf("%+v", res.Report)
	if bad > 0 {
		t.Fatalf("%d of %d codes differ", bad, len(ref.Codes))
	}
	ideal := dataflow.IdealCycles(dataflow.NewSchedule(d), d.Timing(), 2)
	t.Logf("ideal %d core %d", ideal, res.Report.CoreCycles)
}
