package traces

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/swatsim/swatsim/reference"
)

// plain has every feature off.
func plain(h, n, d int) SynthParams {
	return SynthParams{Seed: 7, Heads: h, Tokens: n, HeadDim: d, QueryMean: 1, OutlierScale: 1, RoPEBase: 10000}
}

func mustGenerate(t *testing.T, p SynthParams) *synth {
	t.Helper()
	g, err := generate(p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// massOn is the softmax mass that each row of dense bidirectional float64
// attention puts on the given keys (per head), averaged over rows and heads.
func massOn(t *testing.T, q, k *reference.Tensor, keys func(h int) []int) float64 {
	t.Helper()
	ind := reference.NewTensor(q.H, q.N, 1)
	for h := 0; h < q.H; h++ {
		for _, j := range keys(h) {
			ind.Row(h, j)[0] = 1
		}
	}
	// V = the indicator of the keys: O is the mass on them.
	f64, _ := reference.Preset("float64")
	res, err := reference.Attend(q, k, widen(ind, q.D), reference.Options{Mask: reference.Mask{Dense: true}, Arith: f64})
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			s += res.O.Row(h, i)[0]
		}
	}
	return s / float64(q.H*q.N)
}

// widen pads a [H,N,1] tensor with zero columns to D (Attend needs equal D).
func widen(t *reference.Tensor, d int) *reference.Tensor {
	w := reference.NewTensor(t.H, t.N, d)
	for h := 0; h < t.H; h++ {
		for i := 0; i < t.N; i++ {
			w.Row(h, i)[0] = t.Row(h, i)[0]
		}
	}
	return w
}

func TestGenerateDeterministic(t *testing.T) {
	p := DefaultSynthParams()
	p.Heads, p.Tokens = 2, 300
	a, b := mustGenerate(t, p), mustGenerate(t, p)
	for _, pair := range [][2]*reference.Tensor{{a.q, b.q}, {a.k, b.k}, {a.v, b.v}} {
		if !slices.Equal(pair[0].Data, pair[1].Data) {
			t.Fatal("same params, different data")
		}
	}
	p.Seed++
	c := mustGenerate(t, p)
	if slices.Equal(a.k.Data, c.k.Data) {
		t.Error("different seeds, same keys")
	}
	if !slices.Equal(a.q.Shape(), []int{2, 300, 64}) || a.q.Rank != 3 {
		t.Errorf("shape %v rank %d", a.q.Shape(), a.q.Rank)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultSynthParams().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		set   func(p *SynthParams)
		want  string
	}{
		{"heads", func(p *SynthParams) { p.Heads = 0 }, "heads = 0: must be in [1, 4096]"},
		{"tokens", func(p *SynthParams) { p.Tokens = -5 }, "tokens = -5: must be in [1, 16777216]"},
		{"head_dim", func(p *SynthParams) { p.HeadDim = 0 }, "head_dim = 0"},
		{"head_dim", func(p *SynthParams) { p.HeadDim = 63 }, "even when rope is on"},
		{"heads*tokens*head_dim", func(p *SynthParams) { p.Heads, p.Tokens = 4096, 1<<20 }, "at most 268435456"},
		{"query_mean", func(p *SynthParams) { p.QueryMean = math.NaN() }, "query_mean = NaN: must be in [0, 100]"},
		{"query_mean", func(p *SynthParams) { p.QueryMean = 0 }, "> 0 when sink_strength"},
		{"sink_strength", func(p *SynthParams) { p.SinkStrength = -1 }, "in [0, 100]"},
		{"outlier_channels", func(p *SynthParams) { p.OutlierChannels = 65 }, "outlier_channels = 65: must be in [0, 64]"},
		{"outlier_scale", func(p *SynthParams) { p.OutlierScale = 0.5 }, "in [1, 10000]"},
		{"key_rank", func(p *SynthParams) { p.KeyRank = -1 }, "key_rank = -1: must be in [0, 64]"},
		{"key_noise", func(p *SynthParams) { p.KeyNoise = math.Inf(1) }, "in [0, 100]"},
		{"heavy_hitters", func(p *SynthParams) { p.HeavyHitters = 1024 }, "in [0, 1023]"},
		{"heavy_strength", func(p *SynthParams) { p.HeavyStrength = 101 }, "in [0, 100]"},
		{"rope_base", func(p *SynthParams) { p.RoPEBase = 1 }, "rope_base = 1: must be in (1, 1e12]"},
	} {
		p := DefaultSynthParams()
		c.set(&p)
		err := p.Validate()
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want a ParamError for %s saying %q", c.field, err, c.field, c.want)
		}
		if _, _, _, err := Generate(p); err == nil {
			t.Errorf("%s: Generate accepted it", c.field)
		}
	}
	// Odd D is fine without RoPE; a rank-D key and N-1 heavy hitters too.
	p := plain(1, 5, 7)
	p.KeyRank, p.HeavyHitters, p.HeavyStrength, p.OutlierChannels = 7, 4, 1, 7
	if _, _, _, err := Generate(p); err != nil {
		t.Error(err)
	}
}

func TestSink(t *testing.T) {
	p := plain(4, 256, 64)
	p.RoPE = true
	off := mustGenerate(t, p)
	p.SinkStrength = 8
	on := mustGenerate(t, p)
	sink := func(int) []int { return []int{0} }
	mOn, mOff := massOn(t, on.q, on.k, sink), massOn(t, off.q, off.k, sink)
	t.Logf("mass on token 0: sink 8 -> %.3f, sink off -> %.4f (uniform %.4f)", mOn, mOff, 1.0/256)
	if mOn < 0.5 || mOff > 0.05 {
		t.Errorf("mass on token 0: %.3f with the sink (want > 0.5), %.4f without (want < 0.05)", mOn, mOff)
	}
	// Only token 0's keys differ.
	if !slices.Equal(on.q.Data, off.q.Data) || !slices.Equal(on.v.Data, off.v.Data) {
		t.Error("the sink changed q or v")
	}
	for h := 0; h < p.Heads; h++ {
		for j := 0; j < p.Tokens; j++ {
			if same := slices.Equal(on.k.Row(h, j), off.k.Row(h, j)); same == (j == 0) {
				t.Fatalf("head %d key %d: changed = %v", h, j, !same)
			}
		}
	}
}

func TestHeavyHitters(t *testing.T) {
	p := plain(4, 256, 64)
	p.RoPE, p.HeavyHitters = true, 4
	off := mustGenerate(t, p)
	p.HeavyStrength = 4
	on := mustGenerate(t, p)
	keys := func(h int) []int { return on.heavy[h] }
	mOn, mOff := massOn(t, on.q, on.k, keys), massOn(t, off.q, off.k, keys)
	t.Logf("mass on 4 heavy hitters: strength 4 -> %.3f, off -> %.4f", mOn, mOff)
	if mOn < 0.25 || mOff > 0.05 {
		t.Errorf("heavy-hitter mass %.3f on (want > 0.25), %.4f off (want < 0.05)", mOn, mOff)
	}
	for h, hh := range on.heavy {
		if len(hh) != 4 || slices.Contains(hh, 0) {
			t.Errorf("head %d heavy hitters %v: want 4 tokens in 1..N-1", h, hh)
		}
	}
}

// rms is the root mean square of channel d of t over all heads and rows.
func rms(t *reference.Tensor, h, d int) float64 {
	var s float64
	for i := 0; i < t.N; i++ {
		x := t.Row(h, i)[d]
		s += x * x
	}
	return math.Sqrt(s / float64(t.N))
}

func TestOutlierChannels(t *testing.T) {
	p := plain(2, 512, 64)
	p.OutlierChannels, p.OutlierScale = 4, 10
	g := mustGenerate(t, p)
	for h := 0; h < p.Heads; h++ {
		var kOut, kIn, vAll []float64
		for d := 0; d < p.HeadDim; d++ {
			if slices.Contains(g.outliers[h], d) {
				kOut = append(kOut, rms(g.k, h, d))
			} else {
				kIn = append(kIn, rms(g.k, h, d))
			}
			vAll = append(vAll, rms(g.v, h, d))
		}
		sort.Float64s(kIn)
		med := kIn[len(kIn)/2]
		t.Logf("head %d: outlier channel rms %.2f..%.2f, other channels median %.2f; value rms %.2f..%.2f",
			h, slices.Min(kOut), slices.Max(kOut), med, slices.Min(vAll), slices.Max(vAll))
		if len(kOut) != 4 || slices.Min(kOut) < 5*med || slices.Max(kIn) > 2*med {
			t.Errorf("head %d: outlier rms %v vs median %.2f: want >= 5x", h, kOut, med)
		}
		if slices.Max(vAll) > 1.5*slices.Min(vAll) {
			t.Errorf("head %d: value channel rms spans %.2f..%.2f; values must have no outliers", h, slices.Min(vAll), slices.Max(vAll))
		}
	}
}

// topEnergy is the fraction of the squared Frobenius norm of head h of t
// in its r largest singular values.
func topEnergy(t *testing.T, x *reference.Tensor, h, r int) float64 {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(x.N, x.D, x.Head(h).Data), mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	s := svd.Values(nil)
	var top, all float64
	for i, v := range s {
		all += v * v
		if i < r {
			top += v * v
		}
	}
	return top / all
}

func TestLowRankKeys(t *testing.T) {
	p := plain(2, 512, 64)
	full := mustGenerate(t, p)
	p.KeyRank, p.KeyNoise = 8, 0.1
	low := mustGenerate(t, p)
	p.KeyNoise = 0
	exact := mustGenerate(t, p)
	for h := 0; h < p.Heads; h++ {
		eLow, eFull, eExact := topEnergy(t, low.k, h, 8), topEnergy(t, full.k, h, 8), topEnergy(t, exact.k, h, 8)
		t.Logf("head %d: energy in top 8 of 64 singular values: rank 8 + noise 0.1 -> %.4f, noise 0 -> %.10f, full rank -> %.3f", h, eLow, eExact, eFull)
		if eLow < 0.95 || eFull > 0.3 || eExact < 1-1e-9 {
			t.Errorf("head %d: top-8 energy %.4f (want > 0.95), exact %.10f (want 1), full rank %.3f (want < 0.3)", h, eLow, eExact, eFull)
		}
	}
}

func TestRoPE(t *testing.T) {
	const n, d = 40, 16
	// Identical un-rotated vectors at every position: after RoPE, q_i . k_j
	// depends only on i - j.
	q, k := reference.NewTensor(0, n, d), reference.NewTensor(0, n, d)
	g := mustGenerate(t, plain(1, 2, d))
	for i := 0; i < n; i++ {
		copy(q.Row(0, i), g.q.Row(0, 0))
		copy(k.Row(0, i), g.k.Row(0, 1))
	}
	for _, x := range []*reference.Tensor{q, k} {
		if err := ApplyRoPE(x, 10000); err != nil {
			t.Fatal(err)
		}
	}
	byOffset := map[int]float64{}
	worst := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := dot(q.Row(0, i), k.Row(0, j))
			if ref, ok := byOffset[i-j]; ok {
				worst = max(worst, math.Abs(s-ref))
			} else {
				byOffset[i-j] = s
			}
		}
	}
	t.Logf("q_i.k_j over %d position pairs: max deviation from its offset's value %.2g", n*n, worst)
	if worst > 1e-12 {
		t.Errorf("q_i.k_j varies by %g at one offset i-j", worst)
	}
	if byOffset[0] == byOffset[5] {
		t.Error("RoPE did not change the scores")
	}
	// Rotation keeps norms.
	for i := 0; i < n; i++ {
		if a, b := dot(q.Row(0, i), q.Row(0, i)), dot(g.q.Row(0, 0), g.q.Row(0, 0)); math.Abs(a-b) > 1e-12*b {
			t.Fatalf("row %d norm^2 %v, want %v", i, a, b)
		}
	}
	// Generate with RoPE = Generate without, then ApplyRoPE, bit for bit.
	p := DefaultSynthParams()
	p.Heads, p.Tokens = 2, 100
	on := mustGenerate(t, p)
	p.RoPE = false
	off := mustGenerate(t, p)
	ApplyRoPE(off.q, p.RoPEBase)
	ApplyRoPE(off.k, p.RoPEBase)
	if !slices.Equal(on.q.Data, off.q.Data) || !slices.Equal(on.k.Data, off.k.Data) || !slices.Equal(on.v.Data, off.v.Data) {
		t.Error("RoPE on differs from RoPE off followed by ApplyRoPE")
	}
	if err := ApplyRoPE(reference.NewTensor(0, 2, 3), 10000); err == nil {
		t.Error("odd D: no error")
	}
	if err := ApplyRoPE(reference.NewTensor(0, 2, 4), 0.5); err == nil {
		t.Error("base 0.5: no error")
	}
}

// TestSlowChannels: the mean query direction lives in the channel pairs
// that turn at most pi/4 over the sequence.
func TestSlowChannels(t *testing.T) {
	if got := slowChannels(64, 4096, 10000); !slices.Equal(got, []int{31, 63, 30, 62}) {
		t.Errorf("D=64 N=4096: %v", got)
	}
	if got := slowChannels(8, 1, 10000); len(got) != 8 {
		t.Errorf("N=1: %v, want every channel", got)
	}
	if got := slowChannels(4, 1e6, 10); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("fast base: %v, want the slowest pair", got)
	}
	if got := slowChannels(5, 100, 10000); len(got) != 5 {
		t.Errorf("odd D: %v", got)
	}
}

func BenchmarkGenerate(b *testing.B) {
	p := DefaultSynthParams()
	p.Heads, p.Tokens = 8, 4096
	for b.Loop() {
		if _, _, _, err := Generate(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGQAShapesAndSharedDirections: with kv_heads, K and V have kv_heads
// heads, each serving heads/kv_heads query heads that share its mean query
// direction; kv_heads = heads reproduces the multi-head data bit for bit.
func TestGQAShapesAndSharedDirections(t *testing.T) {
	p := SynthParamsFor(7, 4, 64, 16)
	mha, err := generate(p)
	if err != nil {
		t.Fatal(err)
	}
	p.KVHeads = 4
	same, err := generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mha.q.Data, same.q.Data) || !slices.Equal(mha.k.Data, same.k.Data) || !slices.Equal(mha.v.Data, same.v.Data) {
		t.Fatal("kv_heads = heads changed the data")
	}
	p.KVHeads = 2
	g, err := generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if g.q.H != 4 || g.k.H != 2 || g.v.H != 2 || len(g.u) != 2 {
		t.Fatalf("shapes q %v k %v v %v, %d directions", g.q.Shape(), g.k.Shape(), g.v.Shape(), len(g.u))
	}
	for _, bad := range []int{3, -1, 5} {
		p.KVHeads = bad
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "kv_heads") {
			t.Errorf("kv_heads = %d: %v", bad, err)
		}
	}
}
