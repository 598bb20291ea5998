package cosim

import (
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
)

// TestCosimRandomPoints co-simulates design points of the lint fuzzer's
// generator (randomPoint; seeded, so CI always runs the same ones) beside
// the hand-picked matrix: shapes, masks and arithmetic nobody chose, each
// with 30% stalls. The last two are arch flash.
func TestCosimRandomPoints(t *testing.T) {
	hdltest.Need(t, "verilator")
	r := rand.New(rand.NewPCG(2026, 11))
	for i, done := 0, 0; done < 6; i++ {
		arch := ""
		if done >= 4 {
			arch = "flash"
		}
		pt, edge := randomArchPoint(r, i, arch)
		if _, err := dataflow.Load("", pt.sets); err != nil {
			continue
		}
		done++
		t.Run(pt.name, func(t *testing.T) {
			des := pt.design(t)
			q, k, v := RandomInputs(des, uint64(i), 1.5)
			res, err := Run(des, q, k, v, 7, 30)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(edge, pt.sets, res.Summary())
			if !res.Pass {
				t.Errorf("%v: %s", pt.sets, res.Report())
			}
		})
	}
}
