package kv

import (
	"os"
	"testing"

	"github.com/swatsim/swatsim/traces"
)

func TestProfTiny(t *testing.T) {
	if os.Getenv("KVPROF") == "" {
		t.Skip()
	}
	var ts [3]*traces.Array
	for i, n := range []string{"q", "k", "v"} {
		a, err := traces.ReadArray("/work/shared/traces/tinylm_" + n + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		ts[i] = a
	}
	q, _ := ts[0].Layer(1)
	k, _ := ts[1].Layer(1)
	v, _ := ts[2].Layer(1)
	s, err := MakeBuilder().WithPrompt(2048).WithSteps(256).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	specs := []Spec{{os.Getenv("KVPROF"), 512}}
	if os.Getenv("KVPROF") == "all" {
		specs = nil
		for _, n := range []string{"full", "streaming", "h2o", "tova", "snapkv", "caote-h2o", "caote-tova", "quest"} {
			for _, b := range []int{256, 512, 1024} {
				specs = append(specs, Spec{n, b})
			}
		}
	}
	if _, err := s.Run(specs); err != nil {
		t.Fatal(err)
	}
	t.Log(s.Elapsed())
}
