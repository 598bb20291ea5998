package policy

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// shadowKV is ShadowKV. At prefill end the prompt's pre-RoPE keys (the
// traces are post-RoPE: RoPE is inverted per Rotate) of all heads side by
// side, a P x (H*D) matrix, are factorised by a thin SVD and truncated to
// rank r: K_pre ~ A B with A = U_r S_r (P x r) and B = V_r^T (r x H*D).
// The prompt before its last R tokens is cut into chunks of C tokens;
// each chunk's landmark is its mean post-RoPE key, per head. Per head, the
// O chunks whose lowest cosine similarity between a key and the chunk's
// landmark is smallest are outliers, kept exact on chip with the last R
// prompt tokens and every decode token (the paper's local cache). A query
// scores the other chunks by q . landmark, takes the top k = (B - O*C -
// R)/C, rebuilds their keys from A and B (then applies RoPE) and fetches
// their values from the host tier. As in the paper, decode tokens join the
// exact local cache outside the sparse budget, so the query of step t
// attends to at most B + (t - P + 1) keys.
type shadowKV struct {
	base
	rank, chunk, recent int
	k                   int // chunks selected per query
	scale               float64
	prompt              int         // P
	chunks              int         // landmark chunks: floor((P-R)/C)
	a                   *mat.Dense  // P x r
	b                   *mat.Dense  // r x H*D
	landmark            [][]float64 // [H][chunks*D]
	exact               [][]bool    // [H][N]: tokens kept exact on chip
	rebuilt             [][]float64 // [H][P*D]: rebuilt post-RoPE keys (filled on demand)
	have                [][]bool    // [H][P]: rebuilt[h][j] is filled
	sel                 [][]int     // [H]: this step's selected chunks
	aRead               []int       // [P]: step+1 when the token's row of A was read this step
}

func newShadowKV(b base) (*shadowKV, error) {
	p := b.p
	switch {
	case p.ShadowRank < 1:
		return nil, fmt.Errorf("shadowkv: --rank (kv.policy.shadowkv_rank) = %d: must be >= 1 (capped at heads x head dim)", p.ShadowRank)
	case p.ShadowChunk < 1:
		return nil, fmt.Errorf("shadowkv: kv.policy.shadowkv_chunk = %d: must be >= 1", p.ShadowChunk)
	case p.ShadowOutliers < 0 || p.ShadowRecent < 0:
		return nil, fmt.Errorf("shadowkv: kv.policy.shadowkv_outliers = %d, shadowkv_recent = %d: must be >= 0", p.ShadowOutliers, p.ShadowRecent)
	case b.data.K.D%2 != 0:
		return nil, fmt.Errorf("shadowkv: head dim %d: RoPE needs an even head dim", b.data.K.D)
	case !(p.RoPEBase > 1):
		return nil, fmt.Errorf("shadowkv: kv.policy.rope_base = %g: must be > 1", p.RoPEBase)
	}
	k := (p.Budget - p.ShadowOutliers*p.ShadowChunk - p.ShadowRecent) / p.ShadowChunk
	if k < 1 {
		return nil, fmt.Errorf("shadowkv: budget = %d: must hold the %d outlier chunks of %d tokens, the %d recent tokens and at least one selected chunk (budget >= %d)",
			p.Budget, p.ShadowOutliers, p.ShadowChunk, p.ShadowRecent, (p.ShadowOutliers+1)*p.ShadowChunk+p.ShadowRecent)
	}
	return &shadowKV{base: b, rank: p.ShadowRank, chunk: p.ShadowChunk, recent: p.ShadowRecent, k: k, scale: scaleOf(p, b.data.K.D)}, nil
}

// Start factorises the prompt's pre-RoPE keys, builds the landmarks and
// picks the outlier chunks.
func (s *shadowKV) Start(pf *Prefill) {
	s.startAll(pf.P)
	s.prompt = pf.P
	s.chunks = max(0, pf.P-s.recent) / s.chunk
	s.factorise(pf.P)
	n := s.data.K.N
	s.exact, s.rebuilt, s.have = make([][]bool, s.heads), make([][]float64, s.heads), make([][]bool, s.heads)
	s.landmark, s.sel = make([][]float64, s.heads), make([][]int, s.heads)
	for h := range s.heads {
		s.exact[h] = make([]bool, n)
		s.rebuilt[h] = make([]float64, pf.P*s.data.K.D)
		s.have[h] = make([]bool, pf.P)
		for j := s.chunks * s.chunk; j < n; j++ {
			s.exact[h][j] = true // the recent prompt tokens (and the tail that fills no chunk) and decode tokens
		}
		s.landmarks(h)
		for _, c := range s.outliers(h) {
			for j := c * s.chunk; j < (c+1)*s.chunk; j++ {
				s.exact[h][j] = true
			}
		}
	}
}

// factorise computes A and B of the rank-r SVD of the pre-RoPE prompt
// keys, all heads side by side.
func (s *shadowKV) factorise(p int) {
	d := s.data.K.D
	x := mat.NewDense(p, s.heads*d, nil)
	pre := make([]float64, d)
	for h := range s.heads {
		for j := range p {
			Rotate(pre, s.data.K.Row(h, j), j, s.p.RoPEBase, true)
			for c, v := range pre {
				x.Set(j, h*d+c, v)
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		panic("shadowkv: SVD did not converge")
	}
	r := min(s.rank, p, s.heads*d)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	sv := svd.Values(nil)
	s.a = mat.NewDense(p, r, nil)
	for j := range p {
		for i := range r {
			s.a.Set(j, i, u.At(j, i)*sv[i])
		}
	}
	s.b = mat.DenseCopyOf(v.Slice(0, s.heads*d, 0, r).T())
}

// Rotate applies RoPE (inverse: undoes it) at position pos to x into dst,
// with non-interleaved halves: x1 = x[:D/2], x2 = x[D/2:], angle_i = pos *
// base^(-i/(D/2)), rotated = [x1 cos - x2 sin, x1 sin + x2 cos].
func Rotate(dst, x []float64, pos int, base float64, inverse bool) {
	half := len(x) / 2
	for i := range half {
		ang := float64(pos) * math.Pow(base, -float64(i)/float64(half))
		sin, cos := math.Sincos(ang)
		if inverse {
			sin = -sin
		}
		x1, x2 := x[i], x[i+half]
		dst[i], dst[i+half] = x1*cos-x2*sin, x1*sin+x2*cos
	}
}

// landmarks computes head h's mean post-RoPE key per chunk.
func (s *shadowKV) landmarks(h int) {
	d := s.data.K.D
	lm := make([]float64, s.chunks*d)
	for c := range s.chunks {
		for j := c * s.chunk; j < (c+1)*s.chunk; j++ {
			for i, x := range s.data.K.Row(h, j) {
				lm[c*d+i] += x / float64(s.chunk)
			}
		}
	}
	s.landmark[h] = lm
}

// outliers returns head h's O chunks with the lowest minimum cosine
// similarity between a key and the landmark (ties: the older chunk).
func (s *shadowKV) outliers(h int) []int {
	d := s.data.K.D
	minCos := make([]float64, s.chunks)
	idx := make([]int, s.chunks)
	for c := range s.chunks {
		idx[c] = c
		lm := s.landmark[h][c*d : (c+1)*d]
		minCos[c] = math.Inf(1)
		for j := c * s.chunk; j < (c+1)*s.chunk; j++ {
			minCos[c] = math.Min(minCos[c], cosine(s.data.K.Row(h, j), lm))
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return minCos[idx[a]] < minCos[idx[b]] })
	return idx[:min(s.p.ShadowOutliers, s.chunks)]
}

// cosine is a.b / (|a||b|) (1 when either is zero).
func cosine(a, b []float64) float64 {
	na, nb := math.Sqrt(dot(a, a)), math.Sqrt(dot(b, b))
	if na == 0 || nb == 0 {
		return 1
	}
	return dot(a, b) / (na * nb)
}

// Evict never evicts: the whole cache stays (values in host memory).
func (s *shadowKV) Evict(int, *Obs, *Cost) [][]int { return nil }

// Attended is the exact tokens and the top-k chunks by landmark score.
func (s *shadowKV) Attended(t, h int, c *Cost) []int {
	d := s.data.K.D
	lo, hi := s.queries(h)
	var cand []int
	var score []float64
	for ch := range s.chunks {
		if s.exact[h][ch*s.chunk] {
			continue // an outlier chunk
		}
		var x float64
		for qh := lo; qh < hi; qh++ { // summed over the group's query heads
			x += dot(s.data.Q.Row(qh, t), s.landmark[h][ch*d:(ch+1)*d])
		}
		cand = append(cand, ch)
		score = append(score, x)
	}
	idx := make([]int, len(cand))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	sel := s.sel[h][:0]
	for _, i := range idx[:min(s.k, len(idx))] {
		sel = append(sel, cand[i])
	}
	sort.Ints(sel)
	s.sel[h] = sel
	if c != nil {
		c.SelectMACs += int64(s.chunks*d*s.group) + int64(len(sel)*s.chunk*s.a.RawMatrix().Cols*d)
		c.Candidates += int64(len(cand))
		c.ExtraBits[0] += int64(s.chunks*d) * s.p.ElemBits // landmarks, on chip
		c.ExtraBits[1] += s.readA(t, sel) * s.p.ElemBits   // rows of A for the rebuild
	}
	out := make([]int, 0, len(sel)*s.chunk+t+1-s.chunks*s.chunk)
	k := 0
	for j := 0; j <= t; j++ {
		for k < len(sel) && (sel[k]+1)*s.chunk <= j {
			k++
		}
		if s.exact[h][j] || (k < len(sel) && j >= sel[k]*s.chunk) {
			out = append(out, j)
			s.key(h, j) // rebuilt here, so that Logits (per query head, in parallel) only reads
		}
	}
	return out
}

// readA returns the elements of A's rows of the selected chunks not yet
// read this step: A is shared by every head, so a row is fetched once per
// step whichever heads rebuild its token.
func (s *shadowKV) readA(t int, sel []int) int64 {
	if s.aRead == nil {
		s.aRead = make([]int, s.prompt)
	}
	var n int64
	for _, c := range sel {
		for j := c * s.chunk; j < (c+1)*s.chunk; j++ {
			if s.aRead[j] != t+1 {
				s.aRead[j] = t + 1
				n += int64(s.a.RawMatrix().Cols)
			}
		}
	}
	return n
}

// key returns head h's attended key row of token j: exact, or rebuilt
// from the factors and rotated to position j.
func (s *shadowKV) key(h, j int) []float64 {
	if s.exact[h][j] {
		return s.data.K.Row(h, j)
	}
	d := s.data.K.D
	row := s.rebuilt[h][j*d : (j+1)*d]
	if !s.have[h][j] {
		pre := make([]float64, d)
		ar := s.a.RawRowView(j)
		for c := range d {
			var x float64
			for i, a := range ar {
				x += a * s.b.At(i, h*d+c)
			}
			pre[c] = x
		}
		Rotate(row, pre, j, s.p.RoPEBase, false)
		s.have[h][j] = true
	}
	return row
}

// Logits is q_t . k_j * scale over the exact and the rebuilt keys, for
// query head qh.
func (s *shadowKV) Logits(t, qh int, att []int, sc []float64) {
	q, h := s.data.Q.Row(qh, t), qh/s.group
	for _, j := range att {
		sc[j] = dot(q, s.key(h, j)) * s.scale
	}
}

// Value is the exact value row (fetched from the host tier when not kept
// on chip).
func (s *shadowKV) Value(_, qh, j int) []float64 { return s.data.V.Row(qh/s.group, j) }

// Tier keeps the exact tokens on chip and the other values in host memory.
func (s *shadowKV) Tier(h, j int) int {
	if s.exact[h][j] {
		return 0
	}
	return 2
}

// ReadBits counts two full rows per exact token and one value row per
// rebuilt token (its key comes from A, counted in Cost.ExtraBits).
func (s *shadowKV) ReadBits(_, h int, toks []int, elemBits int64) int64 {
	d := int64(s.data.K.D)
	var bits int64
	for _, j := range toks {
		if s.exact[h][j] {
			bits += 2 * d * elemBits
		} else {
			bits += d * elemBits
		}
	}
	return bits
}
