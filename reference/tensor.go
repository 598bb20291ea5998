package reference

import (
	"fmt"
	"math"
)

// Tensor is a row-major [H, N, D] array of float64 (H = 1 for [N, D]).
type Tensor struct {
	H, N, D int
	Rank    int // 2 for [N, D], 3 for [H, N, D]
	Data    []float64
}

// NewTensor allocates a zero tensor of the given shape (rank 2 when h == 0).
func NewTensor(h, n, d int) *Tensor {
	t := &Tensor{H: max(h, 1), N: n, D: d, Rank: 3}
	if h == 0 {
		t.Rank = 2
	}
	t.Data = make([]float64, t.H*n*d)
	return t
}

// Shape is the tensor's shape as written to .npy.
func (t *Tensor) Shape() []int {
	if t.Rank == 2 {
		return []int{t.N, t.D}
	}
	return []int{t.H, t.N, t.D}
}

// Row returns row i of head h.
func (t *Tensor) Row(h, i int) []float64 {
	o := (h*t.N + i) * t.D
	return t.Data[o : o+t.D]
}

// Head returns head h as a rank-2 view sharing the data.
func (t *Tensor) Head(h int) *Tensor {
	o := h * t.N * t.D
	return &Tensor{H: 1, N: t.N, D: t.D, Rank: 2, Data: t.Data[o : o+t.N*t.D]}
}

// CheckFinite returns an error naming the first NaN or Inf element.
func (t *Tensor) CheckFinite(name string) error {
	for i, x := range t.Data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: element %d (head %d, row %d, col %d) is %v; inputs must be finite",
				name, i, i/(t.N*t.D), i/t.D%t.N, i%t.D, x)
		}
	}
	return nil
}

// CheckQKV checks that q, k and v are finite and share one shape.
func CheckQKV(q, k, v *Tensor) error {
	if err := CheckGQA(q, k, v); err != nil {
		return err
	}
	if k.H != q.H {
		return fmt.Errorf("shape mismatch: q %v, k %v, v %v: heads and tokens must match", q.Shape(), k.Shape(), v.Shape())
	}
	return nil
}

// CheckGQA checks that q, k and v are finite, that k and v share one
// shape, and that q has the tokens and head dim of k and a multiple of its
// heads (grouped-query attention: query head h uses K/V head
// h / (q heads / k heads)).
func CheckGQA(q, k, v *Tensor) error {
	for _, p := range []struct {
		n string
		t *Tensor
	}{{"q", q}, {"k", k}, {"v", v}} {
		if p.t == nil || p.t.N < 1 || p.t.D < 1 {
			return fmt.Errorf("%s: empty tensor", p.n)
		}
		if p.t.H < 1 || len(p.t.Data) != p.t.H*p.t.N*p.t.D {
			return fmt.Errorf("%s: %d elements for heads %d, tokens %d, head dim %d; want heads >= 1 and heads*tokens*dim elements",
				p.n, len(p.t.Data), p.t.H, p.t.N, p.t.D)
		}
		if err := p.t.CheckFinite(p.n); err != nil {
			return err
		}
	}
	if v.H != k.H || k.N != q.N || v.N != q.N {
		return fmt.Errorf("shape mismatch: q %v, k %v, v %v: tokens must match, and k and v must have the same heads", q.Shape(), k.Shape(), v.Shape())
	}
	if q.H%k.H != 0 {
		return fmt.Errorf("shape mismatch: q has %d heads, k and v %d: the K/V heads must divide the query heads", q.H, k.H)
	}
	if k.D != q.D || v.D != q.D {
		return fmt.Errorf("head dim mismatch: q has D=%d, k D=%d, v D=%d; all must be equal", q.D, k.D, v.D)
	}
	return nil
}

// GroupSize is the number of query heads of q that share one K/V head of
// k (q and k as checked by CheckGQA).
func GroupSize(q, k *Tensor) int { return q.H / k.H }
