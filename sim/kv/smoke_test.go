package kv

import (
	"testing"
	"time"

	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/traces"
)

func TestSmoke(t *testing.T) {
	p := traces.DefaultSynthParams()
	p.Tokens = 1024
	p.Heads = 8
	q, k, v, err := traces.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := MakeBuilder().Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	var specs []Spec
	for _, b := range []int{64, 128, 256} {
		for _, n := range policy.Names {
			specs = append(specs, Spec{n, b})
		}
	}
	begin := time.Now()
	rs, err := s.Run(specs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v", time.Since(begin))
	for _, r := range rs {
		t.Logf("%-11s %5d rel %.4f cos %.4f kept %.3f rec %.3f caote %.4f att %.0f bytes %.0f %.0f %.0f cyc %.0f %+v", r.Policy, r.Budget, r.RelL2Mean(), r.CosineMean(), r.KeptMassMean(), r.RecallMean(), r.CAOTEErrorMean(), r.AttendedMean(),
			r.BytesPerStep(0), r.BytesPerStep(1), r.BytesPerStep(2), r.CyclesPerStep(), r.PhasesPerStep())
	}
}
