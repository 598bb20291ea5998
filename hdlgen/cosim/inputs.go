package cosim

import (
	"math/rand/v2"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// Inputs returns q, k and v of the design's shape [heads, seq_len,
// head_dim] from traces.Generate (a sink, outlier key channels, low-rank
// keys, heavy hitters and RoPE when head_dim is even), seeded by seed.
func Inputs(d *dataflow.Design, seed uint64) (q, k, v *reference.Tensor, err error) {
	m := d.Model
	return traces.Generate(traces.SynthParamsFor(seed, m.Heads, m.SeqLen, m.HeadDim))
}

// RandomInputs returns q, k and v of the design's shape with independent
// normal elements of standard deviation sigma (a PCG stream seeded by
// seed). A large sigma drives the datapath into saturation.
func RandomInputs(d *dataflow.Design, seed uint64, sigma float64) (q, k, v *reference.Tensor) {
	m := d.Model
	rng := rand.New(rand.NewPCG(seed, 0x48444c47454e)) // "HDLGEN"
	t := func() *reference.Tensor {
		x := reference.NewTensor(m.Heads, m.SeqLen, m.HeadDim)
		for i := range x.Data {
			x.Data[i] = sigma * rng.NormFloat64()
		}
		return x
	}
	return t(), t(), t()
}
