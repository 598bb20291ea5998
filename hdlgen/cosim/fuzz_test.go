package cosim

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
)

// fuzzPoints is the number of generated design points TestLintRandomPoints
// lints: 50 in make test, more in make fuzz (-fuzzpoints 400).
var fuzzPoints = flag.Int("fuzzpoints", 50, "design points TestLintRandomPoints generates and lints")

// fuzzSeed seeds the generator of TestLintRandomPoints.
var fuzzSeed = flag.Uint64("fuzzseed", 2026, "seed of TestLintRandomPoints's design points")

// edge is one extreme of a design field that the generator forces on every
// len(edges)-th point, so that a run of len(edges) or more points covers
// them all.
type edge struct {
	name string
	set  func(g *genPoint)
}

var edges = []edge{
	{"1 PE", func(g *genPoint) { g.pes = 1 }},
	{"1 lane", func(g *genPoint) { g.vw = 1 }},
	{"VW = D", func(g *genPoint) { g.vw = g.d }},
	{"W = 1", func(g *genPoint) { g.causal, g.w = true, 1 }},
	{"W = N", func(g *genPoint) { g.w = g.n }},
	{"W = 0 bidirectional", func(g *genPoint) { g.causal, g.w = false, 0 }},
	{"G = 1", func(g *genPoint) { g.g = 1 }},
	{"S = 1", func(g *genPoint) { g.s = 1 }},
	{"G = S = 1 causal", func(g *genPoint) { g.g, g.s, g.causal, g.w = 1, 1, true, max(1, g.w) }},
	{"G many, S many", func(g *genPoint) { g.g, g.s = 2+g.r.IntN(4), 2+g.r.IntN(4) }},
	{"G = N", func(g *genPoint) { g.g = g.n }},
	{"dense", func(g *genPoint) { g.arch = "dense" }},
	{"flash, key_tile 1", func(g *genPoint) { g.arch, g.keyTile = "flash", 1 }},
	{"flash, key_tile = pes, sinks", func(g *genPoint) { g.arch, g.keyTile, g.s = "flash", 0, 1+g.r.IntN(4) }},
	{"flash, key_tile = N", func(g *genPoint) { g.arch, g.keyTile = "flash", g.n }},
	{"flash, odd key_tile > W, G", func(g *genPoint) { g.arch, g.keyTile, g.g = "flash", (g.w+1)|1+2*g.r.IntN(3), 1+g.r.IntN(3) }},
	{"flash, overlap", func(g *genPoint) { g.arch, g.overlap = "flash", true }},
	{"flash, cores, GQA", func(g *genPoint) { g.arch, g.heads, g.kvHeads, g.cores = "flash", 4, 2, 2 }},
	{"fixed16", func(g *genPoint) { g.arith = "fixed16" }},
	{"fixed12", func(g *genPoint) { g.arith = "fixed12" }},
	{"fixed8", func(g *genPoint) { g.arith = "fixed8" }},
	{"custom", func(g *genPoint) { g.arith = customArith(g.r) }},
	{"PEs > N", func(g *genPoint) { g.pes = g.n + 1 + g.r.IntN(3) }},
	{"deep latencies", func(g *genPoint) { g.latS, g.latE = 3+g.r.IntN(3), 3+g.r.IntN(3) }},
	{"explicit buffers", func(g *genPoint) { g.extraKV, g.extraPin = 1+g.r.IntN(9), 1+g.r.IntN(5) }},
	{"heads", func(g *genPoint) { g.heads, g.kvHeads = 2+g.r.IntN(2), 0 }},
	{"GQA", func(g *genPoint) { g.heads, g.kvHeads = 4, 1+g.r.IntN(2) }},
	{"cores, GQA", func(g *genPoint) { g.heads, g.kvHeads, g.cores = 4, 2, 2 }},
	{"idle core in the last round", func(g *genPoint) { g.heads, g.kvHeads, g.cores = 3, 3, 2 }},
	{"more cores than units", func(g *genPoint) { g.heads, g.kvHeads, g.cores = 2, 1, 3 }},
	{"overlap", func(g *genPoint) { g.overlap = true }},
	{"overlap, GQA, cores", func(g *genPoint) { g.overlap, g.heads, g.kvHeads, g.cores = true, 4, 2, 2 }},
	{"overlap, C = 1", func(g *genPoint) { g.overlap, g.vw = true, g.d }},
	{"overlap, La > C", func(g *genPoint) { g.overlap, g.vw, g.latA = true, g.d, 3+g.r.IntN(2) }},
	{"cores, GQA, one-cycle lanes", func(g *genPoint) {
		g.heads, g.kvHeads, g.cores, g.latA, g.latN, g.latR = 4, 2, 2, 1, 1, 1
	}},
	{"deep acc and norm", func(g *genPoint) { g.latA, g.latN = 4+g.r.IntN(5), 4+g.r.IntN(5) }},
}

// genPoint is a design point under construction.
type genPoint struct {
	r                 *rand.Rand
	arch, arith       string
	heads, d, n, w    int
	kvHeads, cores    int // 0: kv_heads = heads
	keyTile           int // hw.key_tile (0: hw.pes)
	overlap           bool
	causal            bool
	g, s, pes, vw     int
	latS, latE        int
	latA, latN, latR  int // hw.latency.acc, norm, recip
	extraKV, extraPin int // 0: the minimum buffers; else rows beyond it
	scale             float64
}

// customArith draws a custom arithmetic that the kernel accepts: widths
// around the presets'.
func customArith(r *rand.Rand) string {
	in := 6 + r.IntN(11)
	lut := 2 + r.IntN(5)
	sf := lut + r.IntN(6)
	return fmt.Sprintf("custom:in_bits=%d,in_frac=%d,lut_bits=%d,score_frac=%d,interp=%t",
		in, in/2+r.IntN(in/2), lut, sf, r.IntN(2) == 0)
}

// randomPoint draws design point i of a seeded sequence: every field at
// random (small sizes, so that lint and co-simulation stay cheap) and the
// edge i mod len(edges) forced.
func randomPoint(r *rand.Rand, i int) (point, string) { return randomArchPoint(r, i, "") }

// randomArchPoint is randomPoint with the arch forced to arch ("": drawn).
func randomArchPoint(r *rand.Rand, i int, arch string) (point, string) {
	g := &genPoint{r: r, arch: []string{"swat", "swat", "dense", "flash"}[r.IntN(4)],
		arith: []string{"fixed16", "fixed12", "fixed8"}[r.IntN(3)], heads: 1 + r.IntN(4), cores: 1 + r.IntN(3)}
	if hd := divisors(g.heads); r.IntN(2) == 0 {
		g.kvHeads = hd[r.IntN(len(hd))]
	}
	g.overlap = r.IntN(3) == 0
	g.d = []int{1, 2, 4, 6, 8, 12, 16}[r.IntN(7)]
	g.n = 1 + r.IntN(48)
	g.causal = r.IntN(3) > 0
	g.w = r.IntN(g.n + 1)
	if g.causal {
		g.w = max(1, g.w)
	}
	g.g, g.s = r.IntN(3), r.IntN(3)
	g.keyTile = []int{0, 1, 1 + r.IntN(g.n+3), 1 + 2*r.IntN(4)}[r.IntN(4)]
	g.pes, g.latS, g.latE = 1+r.IntN(6), 1+r.IntN(2), 1+r.IntN(2)
	g.latA, g.latN, g.latR = 1+r.IntN(3), 1+r.IntN(3), 1+r.IntN(2)
	divs := divisors(g.d)
	g.vw = divs[r.IntN(len(divs))]
	if r.IntN(4) == 0 {
		g.scale = 0.25 + r.Float64()
	}
	e := edges[i%len(edges)]
	e.set(g)
	if arch != "" {
		g.arch = arch
	}
	g.g, g.s = min(g.g, g.n), min(g.s, g.n)
	if g.causal {
		g.w = max(1, g.w)
	}
	return g.point(i), e.name
}

func divisors(n int) []int {
	var out []int
	for v := 1; v <= n; v++ {
		if n%v == 0 {
			out = append(out, v)
		}
	}
	return out
}

func (g *genPoint) point(i int) point {
	sets := []string{"arch=" + g.arch, "arith=" + g.arith,
		fmt.Sprint("model.heads=", g.heads), fmt.Sprint("model.kv_heads=", g.kvHeads),
		fmt.Sprint("hw.cores=", g.cores), fmt.Sprint("hw.overlap=", g.overlap), fmt.Sprint("model.head_dim=", g.d),
		fmt.Sprint("model.seq_len=", g.n), fmt.Sprint("model.window=", g.w),
		fmt.Sprint("model.causal=", g.causal), fmt.Sprint("model.global_tokens=", g.g),
		fmt.Sprint("model.sinks=", g.s), fmt.Sprint("model.scale=", g.scale),
		fmt.Sprint("hw.pes=", g.pes), fmt.Sprint("hw.vector_width=", g.vw), fmt.Sprint("hw.key_tile=", g.keyTile),
		fmt.Sprint("hw.latency.score=", g.latS), fmt.Sprint("hw.latency.exp=", g.latE),
		fmt.Sprint("hw.latency.acc=", g.latA), fmt.Sprint("hw.latency.norm=", g.latN), fmt.Sprint("hw.latency.recip=", g.latR)}
	if g.extraKV > 0 || g.extraPin > 0 {
		d, err := dataflow.Load("", sets)
		if err == nil && g.arch == "swat" {
			sets = append(sets, fmt.Sprint("hw.kv_buffer_rows=", d.KVBufRows()+g.extraKV),
				fmt.Sprint("hw.pinned_buffer_rows=", max(1, d.PinnedRows())+g.extraPin))
		}
	}
	return point{name: fmt.Sprint("fuzz", i), sets: sets, sigma: 1.5}
}

// TestLintRandomPoints generates random valid design points (seeded;
// -fuzzpoints and -fuzzseed change how many and which) and holds each to
// verilator --lint-only -Wall. A point the design loader rejects is drawn
// again, so every linted point is one a user could ask for.
func TestLintRandomPoints(t *testing.T) {
	hdltest.Need(t, "verilator")
	r := rand.New(rand.NewPCG(*fuzzSeed, 10))
	type job struct {
		pt   point
		edge string
	}
	var jobs []job
	rejected := 0
	for i := 0; len(jobs) < *fuzzPoints; i++ {
		pt, e := randomPoint(r, len(jobs))
		if _, err := dataflow.Load("", pt.sets); err != nil {
			if rejected++; rejected > 10**fuzzPoints {
				t.Fatalf("the generator draws invalid points: %v", err)
			}
			continue
		}
		jobs = append(jobs, job{pt, e})
	}
	t.Logf("%d points (%d draws rejected by the loader)", len(jobs), rejected)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			lintPoint(t, j.pt, j.edge)
		}()
	}
	wg.Wait()
}

func lintPoint(t *testing.T, pt point, edge string) {
	d, err := dataflow.Load("", append([]string{"name=" + pt.name}, pt.sets...))
	if err != nil {
		t.Errorf("%s: %v", pt.name, err)
		return
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		t.Errorf("%s (edge %s) %v: generate: %v", pt.name, edge, pt.sets, err)
		return
	}
	if err := Lint(context.Background(), r); err != nil {
		t.Errorf("%s (edge %s) %v: %v", pt.name, edge, pt.sets, err)
	}
}
