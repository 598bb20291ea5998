package policy

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

func randData(seed uint64, h, n, d int) Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	mk := func(s float64) *reference.Tensor {
		t := reference.NewTensor(h, n, d)
		for i := range t.Data {
			t.Data[i] = s * rng.NormFloat64()
		}
		return t
	}
	return Data{Q: mk(1.5), K: mk(1.5), V: mk(1)}
}

// attendSubset runs reference.Attend for query row i of head h over the
// keys keys (ascending): a tensor holding those keys followed by the
// query's own row as the last position of a dense causal mask.
func attendSubset(t *testing.T, data Data, h, i int, keys []int) (o, a []float64) {
	t.Helper()
	d := data.Q.D
	n := len(keys)
	q, k, v := reference.NewTensor(0, n, d), reference.NewTensor(0, n, d), reference.NewTensor(0, n, d)
	for r, j := range keys {
		copy(q.Row(0, r), data.Q.Row(h, i))
		copy(k.Row(0, r), data.K.Row(h, j))
		copy(v.Row(0, r), data.V.Row(h, j))
	}
	res, err := reference.Attend(q, k, v, reference.Options{Mask: reference.Mask{Causal: true, Dense: true}, Arith: reference.Arith{Float: true}})
	if err != nil {
		t.Fatal(err)
	}
	// The probabilities of the last row, computed independently.
	scale := 1 / math.Sqrt(float64(d))
	s := make([]float64, n)
	m := math.Inf(-1)
	for r, j := range keys {
		for c := range d {
			s[r] += data.Q.Row(h, i)[c] * data.K.Row(h, j)[c]
		}
		s[r] *= scale
		m = math.Max(m, s[r])
	}
	var l float64
	for r := range s {
		s[r] = math.Exp(s[r] - m)
		l += s[r]
	}
	for r := range s {
		s[r] /= l
	}
	return res.O.Row(0, n-1), s
}

func TestCAOTEErrorIsTheTrueChangeOfTheOutput(t *testing.T) {
	cases := []struct {
		seed    uint64
		n, d, k int // tokens, head dim, keys attended
	}{
		{1, 64, 16, 2}, {2, 64, 16, 9}, {3, 128, 32, 50}, {4, 256, 64, 120}, {5, 64, 8, 64},
	}
	for _, tc := range cases {
		data := randData(tc.seed, 2, tc.n, tc.d)
		rng := rand.New(rand.NewPCG(tc.seed, 99))
		for trial := 0; trial < 3; trial++ {
			h := rng.IntN(2)
			keys := rng.Perm(tc.n)[:tc.k]
			slices.Sort(keys)
			i := keys[len(keys)-1]
			o, a := attendSubset(t, data, h, i, keys)
			for r, j := range keys[:len(keys)-1] {
				without := slices.Delete(slices.Clone(keys), r, r+1)
				o2, _ := attendSubset(t, data, h, i, without)
				var change float64
				for c := range o {
					change += (o2[c] - o[c]) * (o2[c] - o[c])
				}
				got := CAOTEError(a[r], o, data.V.Row(h, j))
				if diff := math.Abs(got - math.Sqrt(change)); diff > 1e-12 {
					t.Fatalf("seed %d k=%d token %d: CAOTE %v, true change %v (diff %g)", tc.seed, tc.k, j, got, math.Sqrt(change), diff)
				}
			}
		}
	}
	if !math.IsInf(CAOTEError(1, []float64{1}, []float64{0}), 1) {
		t.Fatal("a = 1 must give +Inf (the only token)")
	}
}

// lastObs builds an observation of query row t over the keys of the
// cache, as the decode model passes it to Evict.
func lastObs(t *testing.T, data Data, tq int, cache [][]int) *Obs {
	obs := &Obs{T: tq, Att: cache, P: make([][]float64, len(cache)), O: make([][]float64, len(cache))}
	for h, keys := range cache {
		obs.O[h], obs.P[h] = attendSubset(t, data, h, tq, keys)
	}
	return obs
}

func TestCAOTETOVAEvictsTheSmallestTrueChange(t *testing.T) {
	// One head, so the layer decision is the head's: the evicted token
	// must be the one whose removal changes the last output least.
	data := randData(7, 1, 40, 16)
	pf := &Prefill{P: 30, Last: [][]float64{make([]float64, 30)}, LastO: [][]float64{make([]float64, 16)}}
	p, err := New("caote-tova", data, DefaultParams(40)) // no eviction at start
	if err != nil {
		t.Fatal(err)
	}
	p.Start(pf)
	tq := 30
	p.Append(tq, nil)
	cache := slices.Clone(p.Cache(0))
	obs := lastObs(t, data, tq, [][]int{cache})
	p.(*tova).p.Budget = len(cache) // force one eviction before token 31
	var c Cost
	c.Reset(1)
	ev := p.Evict(31, obs, &c)
	best, bestChange := -1, math.Inf(1)
	for r, j := range cache {
		o2, _ := attendSubset(t, data, 0, tq, slices.Delete(slices.Clone(cache), r, r+1))
		var ch float64
		for k := range o2 {
			ch += (o2[k] - obs.O[0][k]) * (o2[k] - obs.O[0][k])
		}
		if ch < bestChange {
			best, bestChange = j, ch
		}
	}
	if len(ev[0]) != 1 || ev[0][0] != best {
		t.Fatalf("evicted %v, the smallest true change is token %d", ev[0], best)
	}
	if c.SelectMACs != int64(len(cache)*16) || len(c.VRows[0]) != len(cache) {
		t.Fatalf("cost %+v: want %d MACs and %d V rows for the second pass", c, len(cache)*16, len(cache))
	}
}

func TestQuestPageScoresAndSelection(t *testing.T) {
	data := randData(3, 2, 96, 8)
	p, err := New("quest", data, Params{Budget: 48, QuestPage: 16})
	if err != nil {
		t.Fatal(err)
	}
	p.Start(&Prefill{P: 80})
	p.Append(80, nil)
	for h := range 2 {
		var c Cost
		c.Reset(2)
		att := p.Attended(80, h, &c)
		// Brute force: U_p = sum_i max(q_i min_i, q_i max_i) over pages 0..4.
		q := data.Q.Row(h, 80)
		u := make([]float64, 5)
		for pg := range 5 {
			for i := range 8 {
				lo, hi := math.Inf(1), math.Inf(-1)
				for j := pg * 16; j < pg*16+16; j++ {
					lo, hi = math.Min(lo, data.K.Row(h, j)[i]), math.Max(hi, data.K.Row(h, j)[i])
				}
				u[pg] += math.Max(q[i]*lo, q[i]*hi)
			}
		}
		order := []int{4, 3, 2, 1, 0} // ties: the newest page
		slices.SortStableFunc(order, func(a, b int) int {
			if u[a] > u[b] {
				return -1
			}
			if u[a] < u[b] {
				return 1
			}
			return 0
		})
		want := []int{order[0], order[1]} // floor(48/16) - 1 = 2 pages + the current one
		slices.Sort(want)
		var tokens []int
		for _, pg := range want {
			for j := pg * 16; j < pg*16+16; j++ {
				tokens = append(tokens, j)
			}
		}
		tokens = append(tokens, 80)
		if !slices.Equal(att, tokens) {
			t.Fatalf("head %d: attended %v, want pages %v + token 80", h, att, want)
		}
		if c.MetaPages[h] != 5 || c.SelectMACs != 5*2*8 || c.Candidates != 5 {
			t.Fatalf("head %d: cost %+v", h, c)
		}
	}
}

func TestSnapKVPoolingAndSelection(t *testing.T) {
	if got := pool([]float64{5, 0, 0, 0, 0, 10}, 5); !slices.Equal(got, []float64{1, 1, 1, 2, 2, 2}) {
		t.Fatalf("pool: %v", got)
	}
	data := randData(5, 1, 64, 8)
	// Window sums favouring tokens 3 and 20: pooled, their neighbours
	// score too; budget 8 with window 4 keeps top-4 of the prefix.
	win := make([]float64, 40)
	win[3], win[20], win[30] = 10, 9, 1
	pf := &Prefill{P: 40, W: 4, Window: [][]float64{win}}
	p, err := New("snapkv", data, Params{Budget: 8, SnapWindow: 4, SnapKernel: 5})
	if err != nil {
		t.Fatal(err)
	}
	p.Start(pf)
	// Pooled: tokens 1..5 score 2 (from token 3), 18..22 score 1.8: top-4
	// are 2, 3, 4, 5 (ties: the newest); then the window 36..39, and
	// Evict drops the oldest non-selected (36) to make room for token 40.
	if got := p.Cache(0); !slices.Equal(got, []int{2, 3, 4, 5, 37, 38, 39}) {
		t.Fatalf("cache %v", got)
	}
	p.Append(40, nil)
	p.Evict(41, nil, nil)
	if got := p.Cache(0); !slices.Equal(got, []int{2, 3, 4, 5, 38, 39, 40}) {
		t.Fatalf("after a step: cache %v", got)
	}
}

func TestH2OKeepsHeavyHittersAndTheRecentWindow(t *testing.T) {
	data := randData(6, 1, 64, 8)
	col := make([]float64, 40)
	for j := range col {
		col[j] = 1
	}
	col[5], col[17] = 50, 40
	pf := &Prefill{P: 40, ColSum: [][]float64{col}, LastO: [][]float64{make([]float64, 8)}}
	p, err := New("h2o", data, Params{Budget: 8, H2ORecent: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	p.Start(pf)
	// Budget 8 = 4 recent (token 40 plus 37..39) + 4 heavy; before token
	// 40 the cache holds 7: 37..39 and the top-4 of 0..36 by sum: 5, 17,
	// then, among the ties at 1, the newest: 35, 36.
	if got := p.Cache(0); !slices.Equal(got, []int{5, 17, 35, 36, 37, 38, 39}) {
		t.Fatalf("cache %v", got)
	}
}

func TestTOVAOneDecisionPerLayer(t *testing.T) {
	data := randData(8, 4, 64, 8)
	last := make([][]float64, 4)
	rng := rand.New(rand.NewPCG(1, 1))
	for h := range last {
		last[h] = make([]float64, 50)
		for j := range last[h] {
			last[h][j] = rng.Float64()
		}
	}
	p, _ := New("tova", data, Params{Budget: 16})
	p.Start(&Prefill{P: 50, Last: last, LastO: make([][]float64, 4)})
	for h := 1; h < 4; h++ {
		if !slices.Equal(p.Cache(h), p.Cache(0)) {
			t.Fatalf("head %d cache %v differs from head 0 %v", h, p.Cache(h), p.Cache(0))
		}
	}
	// The kept 15 are the top-15 head-means.
	mean := make([]float64, 50)
	for h := range 4 {
		for j := range 50 {
			mean[j] += last[h][j] / 4
		}
	}
	idx := make([]int, 50)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if mean[a] > mean[b] {
			return -1
		}
		if mean[a] < mean[b] {
			return 1
		}
		return 0
	})
	want := slices.Sorted(slices.Values(idx[:15]))
	if !slices.Equal(p.Cache(0), want) {
		t.Fatalf("cache %v, want %v", p.Cache(0), want)
	}
}

func TestNewRejectsBadParameters(t *testing.T) {
	data := randData(1, 1, 8, 4)
	cases := []struct {
		name string
		p    Params
		want string
	}{
		{"nope", DefaultParams(8), "allowed: full, streaming, h2o, tova, snapkv, caote-h2o, caote-tova, quest"},
		{"h2o", DefaultParams(0), "budget = 0"},
		{"streaming", Params{Budget: 4, Sinks: 4}, "sinks < budget"},
		{"quest", Params{Budget: 8, QuestPage: 16}, "budget >= page"},
		{"snapkv", Params{Budget: 8, SnapWindow: 4, SnapKernel: 4}, "odd kernel"},
		{"h2o", Params{Budget: 8, H2ORecent: 2}, "h2o_recent"},
	}
	for _, tc := range cases {
		_, err := New(tc.name, data, tc.p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: error %v, want one containing %q", tc.name, tc.p, err, tc.want)
		}
	}
}
