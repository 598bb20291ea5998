package policy

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// pq is MILLION-style product quantisation: per head, keys and values are
// split into M sub-vectors of D/M channels, each coded by the nearest of
// 2^bits centroids of a codebook learnt by k-means on the prompt's
// sub-vectors (seeded, deterministic). The most recent R tokens stay
// unquantised; a token is coded with the prompt's codebooks when it leaves
// the residual. A query scores coded keys by lookup tables, T[m][c] = q_m .
// centroid_K[m][c], s_j = scale * sum_m T[m][code_jm]; coded values are
// the concatenated value centroids. Nothing is evicted; attention over
// the coded and the exact part is one softmax, which the driver computes
// as parts merged by log-sum-exp.
type pq struct {
	base
	m, sub, k, residual int
	scale               float64
	coded               int           // tokens 0..coded-1 are coded
	kBook, vBook        [][][]float64 // [H][M][k*sub]: centroids
	kCode, vCode        [][]uint16    // [H][N*M]
	vHat                [][]float64   // [H][N*D]: decoded value rows
	lut                 [][]float64   // [H][M*k]: the current query's table
	lutStep             []int         // [H]: step the table was built for
	booksRead           bool
}

func newPQ(b base) (*pq, error) {
	p := b.p
	d := b.data.K.D
	m := p.PQM
	if m == 0 {
		m = max(1, d/4)
	}
	switch {
	case m < 1 || d%m != 0:
		return nil, fmt.Errorf("pq: --pq-m (kv.policy.pq_m) = %d: must divide the head dim %d", m, d)
	case p.PQBits < 1 || p.PQBits > 16:
		return nil, fmt.Errorf("pq: --pq-bits (kv.policy.pq_bits) = %d: must be in [1, 16]", p.PQBits)
	case p.PQResidual < 0:
		return nil, fmt.Errorf("pq: --residual (kv.policy.pq_residual) = %d: must be >= 0", p.PQResidual)
	case p.PQIters < 1:
		return nil, fmt.Errorf("pq: kv.policy.pq_iters = %d: must be >= 1", p.PQIters)
	}
	n := b.data.K.N
	q := &pq{base: b, m: m, sub: d / m, k: 1 << p.PQBits, residual: p.PQResidual, scale: scaleOf(p, d)}
	q.kBook, q.vBook = make([][][]float64, b.heads), make([][][]float64, b.heads)
	q.kCode, q.vCode = make([][]uint16, b.heads), make([][]uint16, b.heads)
	q.vHat, q.lut, q.lutStep = make([][]float64, b.heads), make([][]float64, b.qHeads), make([]int, b.qHeads)
	for h := range b.heads {
		q.kCode[h], q.vCode[h] = make([]uint16, n*m), make([]uint16, n*m)
		q.vHat[h] = make([]float64, n*d)
	}
	for qh := range b.qHeads {
		q.lutStep[qh] = -1
	}
	return q, nil
}

// Start learns the codebooks on the prompt and codes its old tokens.
func (q *pq) Start(pf *Prefill) {
	q.startAll(pf.P)
	for h := range q.heads {
		q.kBook[h] = q.learn(h, q.data.K, pf.P, 2*h)
		q.vBook[h] = q.learn(h, q.data.V, pf.P, 2*h+1)
	}
	q.advance(pf.P - 1)
}

// learn runs k-means on the sub-vectors of rows 0..p-1 of head h of x,
// one codebook per sub-space.
func (q *pq) learn(h int, x interface{ Row(h, j int) []float64 }, p, stream int) [][]float64 {
	books := make([][]float64, q.m)
	for s := range q.m {
		pts := make([][]float64, p)
		for j := range p {
			pts[j] = x.Row(h, j)[s*q.sub : (s+1)*q.sub]
		}
		books[s] = kmeans(pts, q.k, q.p.PQIters, rand.New(rand.NewPCG(q.p.Seed, uint64(stream*q.m+s))))
	}
	return books
}

// Evict never evicts.
func (q *pq) Evict(int, *Obs, *Cost) [][]int { return nil }

// Append adds token t and codes the token that left the residual.
func (q *pq) Append(t int, c *Cost) {
	q.base.Append(t, c)
	q.advance(t)
	if c != nil {
		if !q.booksRead { // the codebooks are read once, at the first decode step
			q.booksRead = true
			c.ExtraBits[1] += int64(q.heads) * 2 * int64(q.k*q.data.K.D) * q.p.ElemBits
		}
		c.SelectMACs += int64(q.qHeads * q.k * q.data.K.D) // the lookup tables, per query head
	}
}

// advance codes the tokens below t+1-R.
func (q *pq) advance(t int) {
	for ; q.coded < t+1-q.residual; q.coded++ {
		for h := range q.heads {
			q.code(h, q.coded)
		}
	}
}

// code assigns token j's key and value sub-vectors to their nearest
// centroids.
func (q *pq) code(h, j int) {
	d := q.data.K.D
	kr, vr := q.data.K.Row(h, j), q.data.V.Row(h, j)
	for s := range q.m {
		lo, hi := s*q.sub, (s+1)*q.sub
		q.kCode[h][j*q.m+s] = uint16(nearest(q.kBook[h][s], q.sub, kr[lo:hi]))
		c := int(nearest(q.vBook[h][s], q.sub, vr[lo:hi]))
		q.vCode[h][j*q.m+s] = uint16(c)
		copy(q.vHat[h][j*d+lo:j*d+hi], q.vBook[h][s][c*q.sub:(c+1)*q.sub])
	}
}

// table builds query head qh's lookup table for the query of step t.
func (q *pq) table(t, qh int) []float64 {
	if q.lutStep[qh] == t {
		return q.lut[qh]
	}
	if q.lut[qh] == nil {
		q.lut[qh] = make([]float64, q.m*q.k)
	}
	qr := q.data.Q.Row(qh, t)
	for s := range q.m {
		qs := qr[s*q.sub : (s+1)*q.sub]
		book := q.kBook[qh/q.group][s]
		for c := range len(book) / q.sub {
			q.lut[qh][s*q.k+c] = floats.Dot(qs, book[c*q.sub:(c+1)*q.sub])
		}
	}
	q.lutStep[qh] = t
	return q.lut[qh]
}

// Logits scores coded keys by query head qh's lookup table and exact keys
// directly.
func (q *pq) Logits(t, qh int, att []int, s []float64) {
	lut := q.table(t, qh)
	qr, h := q.data.Q.Row(qh, t), qh/q.group
	for _, j := range att {
		if j >= q.coded {
			s[j] = dot(qr, q.data.K.Row(h, j)) * q.scale
			continue
		}
		var x float64
		for sp, c := range q.kCode[h][j*q.m : (j+1)*q.m] {
			x += lut[sp*q.k+int(c)]
		}
		s[j] = x * q.scale
	}
}

// Value is the decoded value row of a coded token, else the exact row.
func (q *pq) Value(_, qh, j int) []float64 {
	h := qh / q.group
	if j < q.coded {
		d := q.data.V.D
		return q.vHat[h][j*d : (j+1)*d]
	}
	return q.data.V.Row(h, j)
}

// ReadBits counts M codes of b bits for the key and the value of a coded
// token and two full rows for an exact one.
func (q *pq) ReadBits(_, _ int, toks []int, elemBits int64) int64 {
	var bits int64
	for _, j := range toks {
		if j < q.coded {
			bits += 2 * int64(q.m*q.p.PQBits)
		} else {
			bits += 2 * int64(q.data.K.D) * elemBits
		}
	}
	return bits
}
