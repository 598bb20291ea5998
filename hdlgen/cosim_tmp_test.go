package hdlgen

import (
	"os"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

func TestTmpCosim(t *testing.T) {
	s := []string{"model.seq_len=64", "model.window=8", "model.head_dim=16", "hw.pes=4", "hw.vector_width=4"}
	if e := os.Getenv("SETS"); e != "" {
		s = strings.Split(e, ";")
	}
	d, err := dataflow.Load("", s)
	if err != nil {
		t.Fatal(err)
	}
	q, k, v, err := Inputs(d, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, pct := range []int{0, 25} {
		res, err := Cosim(d, q, k, v, 7, pct, WithWorkDir("/tmp/cosim"))
		if err != nil {
			t.Fatal(err)
		}
		t.Log(res.Report(), res.Sim.BuildTime, res.Sim.Cached, res.SimTime)
	}
}
