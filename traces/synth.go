package traces

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/swatsim/swatsim/reference"
)

// SynthParams describes synthetic attention inputs with the statistics
// that real language models show (see Generate). The zero value of every
// feature turns it off.
type SynthParams struct {
	Seed  uint64 `yaml:"seed" mapstructure:"seed"`   // PCG seed: equal params give identical data
	Heads int    `yaml:"heads" mapstructure:"heads"` // H, in [1, 4096]
	// KVHeads is the number of key/value heads (GQA: each serves
	// Heads/KVHeads query heads); 0 = Heads (multi-head attention).
	KVHeads int `yaml:"kv_heads" mapstructure:"kv_heads"`
	Tokens  int `yaml:"tokens" mapstructure:"tokens"`     // N, in [1, 16777216]
	HeadDim int `yaml:"head_dim" mapstructure:"head_dim"` // D, in [1, 4096]; even when RoPE is on

	// QueryMean is the norm of the direction u that all queries of a head
	// share, relative to the norm sqrt(D) of their random part; in [0, 100].
	QueryMean float64 `yaml:"query_mean" mapstructure:"query_mean"`
	// SinkStrength is the attention sink: token 0's key gets a component
	// along u that raises its logit for the mean query by this many nats
	// (e^SinkStrength times the weight of an average key); 0 = no sink.
	SinkStrength float64 `yaml:"sink_strength" mapstructure:"sink_strength"`
	// OutlierChannels key channels (chosen per head) are multiplied by
	// OutlierScale; values are untouched. Count in [0, D], scale in [1, 10000].
	OutlierChannels int     `yaml:"outlier_channels" mapstructure:"outlier_channels"`
	OutlierScale    float64 `yaml:"outlier_scale" mapstructure:"outlier_scale"`
	// KeyRank > 0 makes the pre-RoPE keys rank KeyRank plus isotropic noise
	// of standard deviation KeyNoise per channel (the rank-r part has unit
	// variance per channel); 0 = full-rank i.i.d. keys. Rank in [0, D],
	// noise in [0, 100].
	KeyRank  int     `yaml:"key_rank" mapstructure:"key_rank"`
	KeyNoise float64 `yaml:"key_noise" mapstructure:"key_noise"`
	// HeavyHitters tokens (chosen per head among 1..N-1) get a key component
	// along u worth HeavyStrength nats for the mean query, as the sink does.
	// Count in [0, N-1], strength in [0, 100].
	HeavyHitters  int     `yaml:"heavy_hitters" mapstructure:"heavy_hitters"`
	HeavyStrength float64 `yaml:"heavy_strength" mapstructure:"heavy_strength"`
	// RoPE rotates q and k by their position (rotate-half pairing of
	// channels p and p+D/2, frequency RoPEBase^(-2p/D)). RoPEBase in
	// (1, 1e12]; it also places u in the slowest-rotating channel pairs,
	// whether or not RoPE is on.
	RoPE     bool    `yaml:"rope" mapstructure:"rope"`
	RoPEBase float64 `yaml:"rope_base" mapstructure:"rope_base"`
}

// DefaultSynthParams returns a realistic model: 4 heads of dimension 64
// over 1024 tokens with a sink, outlier key channels, low-rank keys, heavy
// hitters and RoPE.
func DefaultSynthParams() SynthParams {
	return SynthParams{
		Seed: 1, Heads: 4, Tokens: 1024, HeadDim: 64,
		QueryMean: 1, SinkStrength: 6,
		OutlierChannels: 4, OutlierScale: 8,
		KeyRank: 16, KeyNoise: 0.25,
		HeavyHitters: 8, HeavyStrength: 3,
		RoPE: true, RoPEBase: 10000,
	}
}

// SynthParamsFor returns DefaultSynthParams for a seed and a shape, with
// the features that depend on the shape capped to it: at most headDim
// outlier channels and key rank, at most tokens-1 heavy hitters, RoPE only
// for an even headDim.
func SynthParamsFor(seed uint64, heads, tokens, headDim int) SynthParams {
	p := DefaultSynthParams()
	p.Seed, p.Heads, p.Tokens, p.HeadDim = seed, heads, tokens, headDim
	p.OutlierChannels = min(p.OutlierChannels, headDim)
	p.KeyRank = min(p.KeyRank, headDim)
	p.HeavyHitters = max(0, min(p.HeavyHitters, tokens-1))
	p.RoPE = p.RoPE && headDim%2 == 0
	return p
}

// ParamError is an out-of-range synthetic parameter.
type ParamError struct {
	Field   string // the yaml/mapstructure name, e.g. sink_strength
	Value   any
	Allowed string // e.g. "in [0, 100]"
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s = %v: must be %s", e.Field, e.Value, e.Allowed)
}

// maxElements bounds H*N*D (2 GiB per float64 tensor).
const maxElements = 1 << 28

// Validate checks every field and returns a *ParamError for the first one
// out of range.
func (p SynthParams) Validate() error {
	ints := []struct {
		name   string
		v      int
		lo, hi int
	}{
		{"heads", p.Heads, 1, 4096},
		{"tokens", p.Tokens, 1, 1 << 24},
		{"head_dim", p.HeadDim, 1, 4096},
		{"outlier_channels", p.OutlierChannels, 0, p.HeadDim},
		{"key_rank", p.KeyRank, 0, p.HeadDim},
		{"heavy_hitters", p.HeavyHitters, 0, p.Tokens - 1},
	}
	if p.KVHeads < 0 || (p.KVHeads > 0 && (p.Heads < 1 || p.Heads%p.KVHeads != 0)) {
		return &ParamError{"kv_heads", p.KVHeads, fmt.Sprintf("a divisor of heads = %d (0 = heads)", p.Heads)}
	}
	for _, c := range ints {
		if c.v < c.lo || c.v > c.hi {
			return &ParamError{c.name, c.v, fmt.Sprintf("in [%d, %d]", c.lo, c.hi)}
		}
		if c.name == "head_dim" {
			if n := int64(p.Heads) * int64(p.Tokens) * int64(p.HeadDim); n > maxElements {
				return &ParamError{"heads*tokens*head_dim", n, fmt.Sprintf("at most %d", maxElements)}
			}
			if p.RoPE && p.HeadDim%2 != 0 {
				return &ParamError{"head_dim", p.HeadDim, "even when rope is on"}
			}
		}
	}
	floats := []struct {
		name   string
		v      float64
		lo, hi float64
	}{
		{"query_mean", p.QueryMean, 0, 100},
		{"sink_strength", p.SinkStrength, 0, 100},
		{"outlier_scale", p.OutlierScale, 1, 10000},
		{"key_noise", p.KeyNoise, 0, 100},
		{"heavy_strength", p.HeavyStrength, 0, 100},
	}
	for _, c := range floats {
		if !(c.v >= c.lo && c.v <= c.hi) {
			return &ParamError{c.name, c.v, fmt.Sprintf("in [%g, %g]", c.lo, c.hi)}
		}
	}
	if !(p.RoPEBase > 1 && p.RoPEBase <= 1e12) {
		return &ParamError{"rope_base", p.RoPEBase, "in (1, 1e12]"}
	}
	if p.QueryMean == 0 && (p.SinkStrength > 0 || p.HeavyHitters > 0 && p.HeavyStrength > 0) {
		return &ParamError{"query_mean", p.QueryMean, "> 0 when sink_strength or heavy_strength is on (they align keys with the mean query)"}
	}
	return nil
}

// Generate returns synthetic q, k and v of shape [H, N, D], deterministic
// for the parameters (a PCG stream seeded with Seed). Per head:
//
//   - u is a random unit vector in the channel pairs that RoPE rotates
//     slowest (at most pi/4 over the N positions; at least one pair);
//   - q_i = QueryMean*sqrt(D)*u + z_i with z_i ~ N(0, I);
//   - k_j = sqrt(D/r)*B c_j + KeyNoise*z_j with B a random orthonormal D x r
//     basis and c_j ~ N(0, I_r) when KeyRank = r > 0, else k_j = z_j;
//     then OutlierChannels channels are scaled by OutlierScale, and token 0
//     (SinkStrength) and the heavy hitters (HeavyStrength) get s/QueryMean*u
//     added, which raises their logit for the mean query by s;
//   - v_j ~ N(0, I);
//   - with RoPE on, q_i and k_j are rotated by positions i and j.
//
// Toggling the sink, the outliers, the heavy hitters or RoPE changes only
// what that feature touches: the random draws are the same.
func Generate(p SynthParams) (q, k, v *reference.Tensor, err error) {
	g, err := generate(p)
	if err != nil {
		return nil, nil, nil, err
	}
	return g.q, g.k, g.v, nil
}

// synth is Generate's output with the choices it made, for tests.
type synth struct {
	q, k, v  *reference.Tensor
	u        [][]float64 // per head: the mean query direction
	outliers [][]int     // per head: the outlier channels
	heavy    [][]int     // per head: the heavy-hitter tokens
}

func generate(p SynthParams) (*synth, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	H, N, D := p.kvHeads(), p.Tokens, p.HeadDim
	group := p.Heads / H
	rng := rand.New(rand.NewPCG(p.Seed, 0x53574154_53494d31)) // "SWATSIM1"
	g := &synth{q: reference.NewTensor(p.Heads, N, D), k: reference.NewTensor(H, N, D), v: reference.NewTensor(H, N, D)}
	slow := slowChannels(D, N, p.RoPEBase)
	qa := p.QueryMean * math.Sqrt(float64(D))
	kScale := 0.0
	if p.KeyRank > 0 {
		kScale = math.Sqrt(float64(D) / float64(p.KeyRank))
	}
	c := make([]float64, p.KeyRank)
	for h := 0; h < H; h++ {
		u := make([]float64, D)
		for _, d := range slow {
			u[d] = rng.NormFloat64()
		}
		normalize(u)
		g.u = append(g.u, u)
		for qh := h * group; qh < (h+1)*group; qh++ { // the query heads sharing kv head h
			for i := 0; i < N; i++ {
				row := g.q.Row(qh, i)
				for d := range row {
					row[d] = float64(qa*u[d]) + rng.NormFloat64()
				}
			}
		}
		basis := orthonormal(rng, p.KeyRank, D)
		for j := 0; j < N; j++ {
			row := g.k.Row(h, j)
			if p.KeyRank == 0 {
				for d := range row {
					row[d] = rng.NormFloat64()
				}
				continue
			}
			for r := range c {
				c[r] = rng.NormFloat64()
			}
			for d := range row {
				var s float64
				for r, b := range basis {
					s += float64(b[d] * c[r])
				}
				row[d] = float64(kScale*s) + float64(p.KeyNoise*rng.NormFloat64())
			}
		}
		outl := rng.Perm(D)[:p.OutlierChannels]
		g.outliers = append(g.outliers, outl)
		for j := 0; j < N; j++ {
			row := g.k.Row(h, j)
			for _, d := range outl {
				row[d] *= p.OutlierScale
			}
		}
		heavy := rng.Perm(max(N-1, 0))[:p.HeavyHitters]
		for i := range heavy {
			heavy[i]++
		}
		g.heavy = append(g.heavy, heavy)
		if p.SinkStrength > 0 {
			axpy(g.k.Row(h, 0), p.SinkStrength/p.QueryMean, u)
		}
		if p.HeavyStrength > 0 {
			for _, j := range heavy {
				axpy(g.k.Row(h, j), p.HeavyStrength/p.QueryMean, u)
			}
		}
		for j := 0; j < N; j++ {
			row := g.v.Row(h, j)
			for d := range row {
				row[d] = rng.NormFloat64()
			}
		}
	}
	if p.RoPE {
		if err := ApplyRoPE(g.q, p.RoPEBase); err != nil {
			return nil, err
		}
		if err := ApplyRoPE(g.k, p.RoPEBase); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// kvHeads is the number of key/value heads.
func (p SynthParams) kvHeads() int {
	if p.KVHeads == 0 {
		return p.Heads
	}
	return p.KVHeads
}

// ApplyRoPE rotates every row i of every head of t in place by position i:
// channels p and p+D/2 (the rotate-half layout of Llama and GPT-NeoX) turn
// by the angle i*base^(-2p/D). D must be even and base > 1.
func ApplyRoPE(t *reference.Tensor, base float64) error {
	if t.D%2 != 0 {
		return fmt.Errorf("rope: head_dim = %d: must be even", t.D)
	}
	if !(base > 1 && !math.IsInf(base, 0)) {
		return fmt.Errorf("rope: base = %g: must be finite and > 1", base)
	}
	half := t.D / 2
	cos, sin := make([]float64, t.N*half), make([]float64, t.N*half)
	for p := 0; p < half; p++ {
		theta := math.Pow(base, -2*float64(p)/float64(t.D))
		for i := 0; i < t.N; i++ {
			sin[i*half+p], cos[i*half+p] = math.Sincos(float64(i) * theta)
		}
	}
	for h := 0; h < t.H; h++ {
		for i := 0; i < t.N; i++ {
			row := t.Row(h, i)
			cs, sn := cos[i*half:(i+1)*half], sin[i*half:(i+1)*half]
			for p := 0; p < half; p++ {
				x1, x2 := row[p], row[p+half]
				row[p] = float64(x1*cs[p]) - float64(x2*sn[p])
				row[p+half] = float64(x1*sn[p]) + float64(x2*cs[p])
			}
		}
	}
	return nil
}

// slowChannels lists the channels of the RoPE pairs whose rotation over n
// positions stays within pi/4 (at least the slowest pair); every channel
// when d is odd.
func slowChannels(d, n int, base float64) []int {
	if d%2 != 0 {
		ch := make([]int, d)
		for i := range ch {
			ch[i] = i
		}
		return ch
	}
	half := d / 2
	var ch []int
	for p := half - 1; p >= 0; p-- {
		theta := math.Pow(base, -2*float64(p)/float64(d))
		if p < half-1 && theta*float64(n-1) > math.Pi/4 {
			break
		}
		ch = append(ch, p, p+half)
	}
	return ch
}

// orthonormal returns r orthonormal vectors of length d (modified
// Gram-Schmidt on Gaussian draws).
func orthonormal(rng *rand.Rand, r, d int) [][]float64 {
	basis := make([][]float64, 0, r)
	for len(basis) < r {
		x := make([]float64, d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for _, b := range basis {
			axpy(x, -dot(x, b), b)
		}
		if normalize(x) > 1e-6 {
			basis = append(basis, x)
		}
	}
	return basis
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += float64(a[i] * b[i])
	}
	return s
}

// axpy sets y += a*x.
func axpy(y []float64, a float64, x []float64) {
	for i := range y {
		y[i] += float64(a * x[i])
	}
}

// normalize scales x to unit norm and returns its former norm.
func normalize(x []float64) float64 {
	n := math.Sqrt(dot(x, x))
	if n > 0 {
		for i := range x {
			x[i] /= n
		}
	}
	return n
}
