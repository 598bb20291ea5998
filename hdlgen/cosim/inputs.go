package cosim

import (
	"math/rand/v2"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// Inputs returns q of the design's shape [heads, seq_len, head_dim] and k
// and v of [kv_heads, seq_len, head_dim] from traces.Generate (a sink,
// outlier key channels, low-rank keys, heavy hitters and RoPE when
// head_dim is even), seeded by seed; with grouped K/V heads, k and v are
// the generated heads 0..kv_heads-1.
func Inputs(d *dataflow.Design, seed uint64) (q, k, v *reference.Tensor, err error) {
	m := d.Model
	q, k, v, err = traces.Generate(traces.SynthParamsFor(seed, m.Heads, m.SeqLen, m.HeadDim))
	if err != nil {
		return nil, nil, nil, err
	}
	return q, firstHeads(k, d.KVHeads()), firstHeads(v, d.KVHeads()), nil
}

// firstHeads is heads 0..h-1 of x.
func firstHeads(x *reference.Tensor, h int) *reference.Tensor {
	if h == x.H {
		return x
	}
	y := reference.NewTensor(h, x.N, x.D)
	copy(y.Data, x.Data[:len(y.Data)])
	return y
}

// RandomInputs returns q, k and v of the design's shape (k and v with
// kv_heads heads) with independent
// normal elements of standard deviation sigma (a PCG stream seeded by
// seed). A large sigma drives the datapath into saturation.
func RandomInputs(d *dataflow.Design, seed uint64, sigma float64) (q, k, v *reference.Tensor) {
	m := d.Model
	rng := rand.New(rand.NewPCG(seed, 0x48444c47454e)) // "HDLGEN"
	t := func(h int) *reference.Tensor {
		x := reference.NewTensor(h, m.SeqLen, m.HeadDim)
		for i := range x.Data {
			x.Data[i] = sigma * rng.NormFloat64()
		}
		return x
	}
	return t(m.Heads), t(d.KVHeads()), t(d.KVHeads())
}
