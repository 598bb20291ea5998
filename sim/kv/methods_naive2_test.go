package kv

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
)

// naiveKMeans is Lloyd's algorithm from the same seeded start (k distinct
// points drawn by the permutation of rng), written independently.
func naiveKMeans(pts [][]float64, k, iters int, rng *rand.Rand) [][]float64 {
	k = min(k, len(pts))
	var cent [][]float64
	for _, i := range rng.Perm(len(pts))[:k] {
		cent = append(cent, slices.Clone(pts[i]))
	}
	for range iters {
		sums := make([][]float64, k)
		counts := make([]float64, k)
		for c := range sums {
			sums[c] = make([]float64, len(pts[0]))
		}
		for _, p := range pts {
			c := naiveNearest(cent, p)
			for i, x := range p {
				sums[c][i] += x
			}
			counts[c]++
		}
		for c := range cent {
			if counts[c] > 0 {
				for i := range cent[c] {
					cent[c][i] = sums[c][i] * (1 / counts[c])
				}
			}
		}
	}
	return cent
}

func naiveNearest(cent [][]float64, p []float64) int {
	best, bd := 0, math.Inf(1)
	for c, row := range cent {
		var d float64
		for i := range p {
			d += (p[i] - row[i]) * (p[i] - row[i])
		}
		if d < bd {
			best, bd = c, d
		}
	}
	return best
}

// naivePQRows codes rows 0..t of head h of x with codebooks learnt on the
// prompt, except the last r (exact).
func naivePQRows(x *reference.Tensor, h, p, t, m, bits, iters, r int, seed uint64, stream int) [][]float64 {
	sub := x.D / m
	books := make([][][]float64, m)
	for s := range m {
		var pts [][]float64
		for j := range p {
			pts = append(pts, x.Row(h, j)[s*sub:(s+1)*sub])
		}
		books[s] = naiveKMeans(pts, 1<<bits, iters, rand.New(rand.NewPCG(seed, uint64(stream*m+s))))
	}
	var rows [][]float64
	for j := 0; j <= t; j++ {
		row := slices.Clone(x.Row(h, j))
		if j < t+1-r {
			for s := range m {
				copy(row[s*sub:(s+1)*sub], books[s][naiveNearest(books[s], row[s*sub:(s+1)*sub])])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func TestPQMatchesNaive(t *testing.T) {
	const h, n, d, p = 2, 140, 16, 80
	q, k, v := synth(t, h, n, d, 14)
	for _, tc := range []struct{ m, bits, residual int }{{4, 4, 16}, {8, 3, 0}, {2, 5, 40}, {16, 2, 8}} {
		cfg := splitConfig(h, d, 30, 50)
		cfg.Policy.PQM, cfg.Policy.PQBits, cfg.Policy.PQResidual = tc.m, tc.bits, tc.residual
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"pq", 1}})
		for step, outs := range c.outs[0] {
			tt := p + step
			if step%7 != 0 {
				continue
			}
			for hh := range h {
				keys := naivePQRows(k, hh, p, tt, tc.m, tc.bits, cfg.Policy.PQIters, tc.residual, cfg.Policy.PQSeed, 2*hh)
				vals := naivePQRows(v, hh, p, tt, tc.m, tc.bits, cfg.Policy.PQIters, tc.residual, cfg.Policy.PQSeed, 2*hh+1)
				if e := relDiff(outs[hh], naiveOut(q.Row(hh, tt), keys, vals)); e > 1e-12 {
					t.Fatalf("%+v t=%d head %d: output differs from naive PQ by %g", tc, tt, hh, e)
				}
			}
		}
		if c.results[0].RelL2Mean() == 0 {
			t.Errorf("%+v: no quantisation error at all", tc)
		}
	}
}

// naiveShadowKV returns the keys (exact or rebuilt) and values head h's
// query t attends to. The rank-r approximation is the projection of the
// pre-RoPE keys on the top-r eigenvectors of X^T X (independent of the
// SVD); RoPE is inverted and reapplied by the rotation formula.
func naiveShadowKV(q, k, v *reference.Tensor, h, p, t, rank, chunk, outliers, recent, budget int, base float64) (keys, vals [][]float64) {
	d, hd := k.D, k.H*k.D
	rot := func(x []float64, pos int, sign float64) []float64 {
		out := make([]float64, d)
		for i := range d / 2 {
			a := float64(pos) * math.Pow(base, -2*float64(i)/float64(d))
			c, s := math.Cos(a), sign*math.Sin(a)
			out[i] = x[i]*c - x[i+d/2]*s
			out[i+d/2] = x[i]*s + x[i+d/2]*c
		}
		return out
	}
	x := mat.NewDense(p, hd, nil)
	for hh := range k.H {
		for j := range p {
			for c, val := range rot(k.Row(hh, j), j, -1) {
				x.Set(j, hh*d+c, val)
			}
		}
	}
	var g mat.SymDense
	g.SymOuterK(1, x.T())
	var eig mat.EigenSym
	eig.Factorize(&g, true)
	var vec mat.Dense
	eig.VectorsTo(&vec)
	r := min(rank, p, hd)
	top := vec.Slice(0, hd, hd-r, hd) // eigenvalues ascending: the last r
	var proj, xr mat.Dense
	proj.Mul(top, top.T())
	xr.Mul(x, &proj)
	nch := (p - recent) / chunk
	lm := make([][]float64, nch)
	minCos := make([]float64, nch)
	for c := range nch {
		lm[c] = make([]float64, d)
		for j := c * chunk; j < (c+1)*chunk; j++ {
			for i := range d {
				lm[c][i] += k.Row(h, j)[i] / float64(chunk)
			}
		}
		minCos[c] = math.Inf(1)
		for j := c * chunk; j < (c+1)*chunk; j++ {
			kr := k.Row(h, j)
			var dot, na, nb float64
			for i := range d {
				dot += kr[i] * lm[c][i]
				na += kr[i] * kr[i]
				nb += lm[c][i] * lm[c][i]
			}
			minCos[c] = math.Min(minCos[c], dot/math.Sqrt(na*nb))
		}
	}
	order := make([]int, nch)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return minCos[order[a]] < minCos[order[b]] })
	outl := map[int]bool{}
	for _, c := range order[:min(outliers, nch)] {
		outl[c] = true
	}
	type cs struct {
		c int
		s float64
	}
	var cand []cs
	for c := range nch {
		if !outl[c] {
			var s float64
			for i := range d {
				s += q.Row(h, t)[i] * lm[c][i]
			}
			cand = append(cand, cs{c, s})
		}
	}
	sort.SliceStable(cand, func(a, b int) bool { return cand[a].s > cand[b].s })
	sel := map[int]bool{}
	for _, x := range cand[:min(len(cand), (budget-outliers*chunk-recent)/chunk)] {
		sel[x.c] = true
	}
	for j := 0; j <= t; j++ {
		c := j / chunk
		switch {
		case j >= nch*chunk || outl[c]:
			keys = append(keys, k.Row(h, j))
		case sel[c]:
			keys = append(keys, rot(xr.RawRowView(j)[h*d:(h+1)*d], j, 1))
		default:
			continue
		}
		vals = append(vals, v.Row(h, j))
	}
	return keys, vals
}

func TestShadowKVMatchesNaive(t *testing.T) {
	const h, n, d, p = 3, 150, 16, 96
	q, k, v := synth(t, h, n, d, 15)
	for _, tc := range []struct{ rank, outliers, recent, budget int }{{8, 2, 16, 56}, {20, 1, 8, 40}, {48, 0, 0, 24}, {4, 3, 5, 70}} {
		cfg := splitConfig(h, d, 30, 50)
		cfg.Policy.ShadowKVRank, cfg.Policy.ShadowKVOutliers, cfg.Policy.ShadowKVRecent = tc.rank, tc.outliers, tc.recent
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(p).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		c := capture(t, s, []Spec{{"shadowkv", tc.budget}})
		for step, outs := range c.outs[0] {
			tt := p + step
			for hh := range h {
				keys, vals := naiveShadowKV(q, k, v, hh, p, tt, tc.rank, cfg.Policy.ShadowKVChunk, tc.outliers, tc.recent, tc.budget, cfg.Policy.RoPEBase)
				if len(keys) != len(c.atts[0][step][hh]) {
					t.Fatalf("%+v t=%d head %d: attends %d keys, naive %d", tc, tt, hh, len(c.atts[0][step][hh]), len(keys))
				}
				if e := relDiff(outs[hh], naiveOut(q.Row(hh, tt), keys, vals)); e > 1e-9 {
					t.Fatalf("%+v t=%d head %d: output differs from naive ShadowKV by %g", tc, tt, hh, e)
				}
			}
		}
	}
}

// TestRotateInvertsRoPE: Rotate undoes and redoes RoPE exactly as the
// trace description states it (angle = pos * 10000^(-i/32) for D = 64).
func TestRotateInvertsRoPE(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 64)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for _, pos := range []int{0, 1, 17, 4095} {
		fwd, back := make([]float64, 64), make([]float64, 64)
		policy.Rotate(fwd, x, pos, 10000, false)
		i := 5
		a := float64(pos) * math.Pow(10000, -float64(i)/32)
		if w := x[i]*math.Cos(a) - x[i+32]*math.Sin(a); math.Abs(fwd[i]-w) > 1e-12 {
			t.Fatalf("pos %d: rotated[%d] = %v, want %v", pos, i, fwd[i], w)
		}
		policy.Rotate(back, fwd, pos, 10000, true)
		if e := relDiff(back, x); e > 1e-14 {
			t.Fatalf("pos %d: inverse error %g", pos, e)
		}
	}
}
