package explore

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// bruteFront is the definition: the feasible points no feasible point
// dominates, checked pairwise.
func bruteFront(objs []Objective, pts []*Scored) map[string]bool {
	sign := func(o Objective) float64 {
		if o.Max {
			return -1
		}
		return 1
	}
	out := map[string]bool{}
	for _, p := range pts {
		if !p.Feasible {
			continue
		}
		dominated := false
		for _, q := range pts {
			if !q.Feasible || q == p {
				continue
			}
			all, some := true, false
			for i, o := range objs {
				a, b := sign(o)*q.Values[i], sign(o)*p.Values[i]
				all = all && a <= b
				some = some || a < b
			}
			if all && some {
				dominated = true
				break
			}
		}
		if !dominated {
			out[p.Record.Hash] = true
		}
	}
	return out
}

func TestFrontMatchesBruteForce(t *testing.T) {
	for _, c := range []struct {
		senses string
		n      int
		levels int // values drawn from a few levels make ties
	}{{"min,min", 300, 1000}, {"min,max", 300, 8}, {"max,min,min", 400, 6}, {"min", 50, 5}, {"max,max,max,max", 200, 1 << 20}} {
		for seed := uint64(1); seed <= 5; seed++ {
			rng := rand.New(rand.NewPCG(seed, 1))
			s := &Space{}
			for _, sense := range strings.Split(c.senses, ",") {
				s.Objectives = append(s.Objectives, Objective{Key: fmt.Sprint("k", len(s.Objectives)), Max: sense == "max"})
			}
			var pts []*Scored
			for i := 0; i < c.n; i++ {
				p := &Scored{Record: &Record{Hash: fmt.Sprintf("%06d", i)}, Feasible: rng.IntN(5) > 0}
				for range s.Objectives {
					p.Values = append(p.Values, float64(rng.IntN(c.levels)))
				}
				pts = append(pts, p)
			}
			want := bruteFront(s.Objectives, pts)
			front := s.Front(pts)
			got := map[string]bool{}
			for _, p := range front {
				got[p.Record.Hash] = true
			}
			if len(got) != len(want) || len(front) != len(got) {
				t.Fatalf("%s seed %d: front of %d points (%d distinct), brute force %d", c.senses, seed, len(front), len(got), len(want))
			}
			for h := range want {
				if !got[h] {
					t.Fatalf("%s seed %d: point %s missing from the front", c.senses, seed, h)
				}
			}
			if !sort.SliceIsSorted(front, func(i, j int) bool {
				return cost(s.Objectives[0], front[i].Values[0]) < cost(s.Objectives[0], front[j].Values[0])
			}) {
				t.Errorf("%s seed %d: front not ordered by the first objective", c.senses, seed)
			}
		}
	}
}

func TestParetoCSV(t *testing.T) {
	s := mustSpace(t, "fields: {hw.pes: [4, 8], arch: [swat]}\nobjectives: {latency_s: min, energy_j: max}\n")
	rs := Records{}
	for i, line := range []string{
		`{"hash":"a","fields":{"arch":"swat","hw.pes":4},"fits":true,"error":"","report":{"latency_s":1,"energy_j":2}}`,
		`{"hash":"b","fields":{"arch":"swat","hw.pes":8},"fits":true,"error":"","report":{"latency_s":0.5,"energy_j":1}}`,
		`{"hash":"c","fields":{"arch":"swat","hw.pes":8},"fits":true,"error":"","report":{"latency_s":2,"energy_j":1}}`,
		`{"hash":"d","fields":{"arch":"swat","hw.pes":8},"fits":false,"error":"","report":{"latency_s":0.1,"energy_j":9}}`,
		`{"hash":"e","fields":{"arch":"swat","hw.pes":8},"fits":false,"error":"boom","report":null}`,
	} {
		r, err := parseRecord([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		rs.add(r)
	}
	got := string(s.ParetoCSV(s.Front(s.Score(rs))))
	want := "hash,hw.pes,arch,latency_s,energy_j\nb,8,swat,0.5,1\na,4,swat,1,2\n"
	if got != want {
		t.Errorf("pareto.csv:\n%s\nwant:\n%s", got, want)
	}
}
