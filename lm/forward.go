package lm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/swatsim/swatsim/reference"
)

// Attention selects how every layer attends in the full-sequence forward
// pass: the mask (N is taken from the text) and the arithmetic.
type Attention struct {
	Mask  reference.Mask
	Arith reference.Arith
}

// FullAttention is dense causal attention in float64: the model as trained.
func FullAttention() Attention {
	return Attention{Mask: reference.Mask{Causal: true, Dense: true}, Arith: reference.Arith{Name: "float64", Float: true}}
}

// LayerQKV is one layer's attention inputs and output, [heads, T, head_dim]
// each (keys and values repeated over the query heads of a group).
type LayerQKV struct {
	Q, K, V, O *reference.Tensor
}

// Forward is the result of a full-sequence forward pass.
type Forward struct {
	Losses []float64          // nats, one per predicted byte
	QKV    []LayerQKV         // per layer
	Error  []reference.Errors // per layer: attention output against float64 attention with the same mask (fixed point only)
	Fracs  [][3]int           // per layer: the fixed-point Q, K, V fraction bits (fixed point only)
}

// CheckText checks that a text can be scored: at least 2 bytes (one
// prediction) and at most context+1 (inputs fit the context).
func (m *Model) CheckText(text []byte) error {
	if len(text) < 2 {
		return fmt.Errorf("text: %d bytes; need at least 2 (one input byte and the byte it predicts)", len(text))
	}
	if len(text)-1 > m.Meta.Context {
		return fmt.Errorf("text: %d bytes; at most %d (context %d inputs plus the last target)", len(text), m.Meta.Context+1, m.Meta.Context)
	}
	return nil
}

// Forward runs the whole text through the model at once: inputs
// text[0:T], targets text[1:T+1], every layer attending with att. Each
// layer's attention is one reference.Attend call over [heads, T, head_dim].
func (m *Model) Forward(text []byte, att Attention) (*Forward, error) {
	if err := m.CheckText(text); err != nil {
		return nil, err
	}
	t, d := len(text)-1, m.Meta.DModel
	x := mat.NewDense(t, d, nil)
	for i := range t {
		x.SetRow(i, m.Emb.RawRowView(int(text[i])))
	}
	out := &Forward{}
	for l := range m.Blocks {
		lq, e, fr, err := m.attentionBlock(l, x, att)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", l, err)
		}
		out.QKV = append(out.QKV, lq)
		if !att.Arith.Float {
			out.Error, out.Fracs = append(out.Error, e), append(out.Fracs, fr)
		}
		m.mlpBlock(l, x)
	}
	out.Losses = m.losses(x, text)
	return out, nil
}

// attentionBlock adds layer l's attention to the residual stream x [T, d].
func (m *Model) attentionBlock(l int, x *mat.Dense, att Attention) (LayerQKV, reference.Errors, [3]int, error) {
	b := &m.Blocks[l]
	t, _ := x.Dims()
	h := m.normRows(x, b.LN1W, b.LN1B)
	var qkv mat.Dense
	qkv.Mul(h, b.QKV.T())
	lq := m.splitHeads(&qkv)
	var e reference.Errors
	var fr [3]int
	res, err := reference.Attend(lq.Q, lq.K, lq.V, reference.Options{Mask: att.Mask, Arith: att.Arith})
	if err != nil {
		return lq, e, fr, err
	}
	lq.O = res.O
	if !att.Arith.Float {
		fr = [3]int{res.Kernel.QFrac, res.Kernel.KFrac, res.Kernel.VFrac}
		ref, err := reference.Attend(lq.Q, lq.K, lq.V, reference.Options{Mask: att.Mask, Arith: reference.Arith{Name: "float64", Float: true}})
		if err != nil {
			return lq, e, fr, err
		}
		if e, err = reference.Compare(res.O.Data, ref.O.Data); err != nil {
			return lq, e, fr, err
		}
	}
	a := mat.NewDense(t, m.Meta.Heads*m.Meta.HeadDim, nil)
	for i := range t {
		row := a.RawRowView(i)
		for hd := range m.Meta.Heads {
			copy(row[hd*m.Meta.HeadDim:], res.O.Row(hd, i))
		}
	}
	var proj mat.Dense
	proj.Mul(a, b.O.T())
	x.Add(x, &proj)
	return lq, e, fr, nil
}

// splitHeads turns the fused projection [T, (H + 2 KV) D] into per-head
// Q [heads, T, D] and K, V [kv_heads, T, D] with RoPE applied to Q and K;
// query head h reads K/V head h / (heads / kv_heads).
func (m *Model) splitHeads(qkv *mat.Dense) LayerQKV {
	t, _ := qkv.Dims()
	hs, kvh, dd := m.Meta.Heads, m.Meta.KVHeads, m.Meta.HeadDim
	lq := LayerQKV{Q: reference.NewTensor(hs, t, dd), K: reference.NewTensor(kvh, t, dd), V: reference.NewTensor(kvh, t, dd)}
	for i := range t {
		m.fillRow(lq, qkv.RawRowView(i), i)
	}
	return lq
}

// fillRow writes row i of Q (every query head) and of K and V (every K/V
// head) from one fused projection row.
func (m *Model) fillRow(lq LayerQKV, row []float64, i int) {
	hs, kvh, dd := m.Meta.Heads, m.Meta.KVHeads, m.Meta.HeadDim
	for h := range hs {
		q := lq.Q.Row(h, i)
		copy(q, row[h*dd:(h+1)*dd])
		m.rope.apply(q, i)
	}
	for g := range kvh {
		k, v := lq.K.Row(g, i), lq.V.Row(g, i)
		copy(k, row[(hs+g)*dd:(hs+g+1)*dd])
		copy(v, row[(hs+kvh+g)*dd:(hs+kvh+g+1)*dd])
		m.rope.apply(k, i)
	}
}

// mlpBlock adds layer l's MLP to the residual stream x [T, d].
func (m *Model) mlpBlock(l int, x *mat.Dense) {
	b := &m.Blocks[l]
	h := m.normRows(x, b.LN2W, b.LN2B)
	var f mat.Dense
	f.Mul(h, b.FC1.T())
	r, _ := f.Dims()
	for i := range r {
		row := f.RawRowView(i)
		for j, v := range row {
			row[j] = gelu(v + b.FC1B[j])
		}
	}
	var y mat.Dense
	y.Mul(&f, b.FC2.T())
	for i := range r {
		row, out := y.RawRowView(i), x.RawRowView(i)
		for j, v := range row {
			out[j] += v + b.FC2B[j]
		}
	}
}

// normRows returns LayerNorm of every row of x.
func (m *Model) normRows(x *mat.Dense, w, b []float64) *mat.Dense {
	r, c := x.Dims()
	h := mat.NewDense(r, c, nil)
	for i := range r {
		layerNorm(x.RawRowView(i), w, b, h.RawRowView(i))
	}
	return h
}

// losses applies the final norm and the head and returns the next-byte
// loss of every position.
func (m *Model) losses(x *mat.Dense, text []byte) []float64 {
	h := m.normRows(x, m.LNW, m.LNB)
	var logits mat.Dense
	logits.Mul(h, m.Head.T())
	t, _ := x.Dims()
	out := make([]float64, t)
	for i := range t {
		out[i] = nextByteLoss(logits.RawRowView(i), text[i+1])
	}
	return out
}

// BitsPerByte is the mean loss in bits: mean nats / ln 2.
func BitsPerByte(losses []float64) float64 { return Mean(losses) / math.Ln2 }

// Mean is the arithmetic mean (0 for none).
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
