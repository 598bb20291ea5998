package policy

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/swatsim/swatsim/reference"
)

// Names lists the policies.
var Names = []string{"full", "streaming", "h2o", "tova", "snapkv", "caote-h2o", "caote-tova", "quest", "kivi", "pq", "shadowkv", "moba", "duo"}

// Params are the budget and the hyperparameters of the policies.
type Params struct {
	Budget     int     // B: keys attended per decode query, its own included
	Sinks      int     // streaming: S sink tokens
	H2ORecent  float64 // h2o, caote-h2o: fraction of B kept as the recent window
	SnapWindow int     // snapkv: observation window w
	SnapKernel int     // snapkv: average-pooling kernel (odd)
	QuestPage  int     // quest: page size in tokens

	Scale    float64 // softmax scale of the approximating policies' logits (0: 1/sqrt(D))
	Seed     uint64  // seed of the policies that learn (pq's k-means)
	ElemBits int64   // bits of a full-precision K/V element (codebooks, landmarks, factor rows)

	KIVIBits     int // kivi: bits per quantised element (2 or 4)
	KIVIGroup    int // kivi: G, tokens per key group and channels per value group
	KIVIResidual int // kivi: R, recent tokens kept unquantised (a multiple of G)

	PQM        int // pq: sub-vectors per row (0: D/4)
	PQBits     int // pq: bits per code (2^bits centroids per codebook)
	PQResidual int // pq: recent tokens kept unquantised
	PQIters    int // pq: k-means iterations

	ShadowRank     int     // shadowkv: rank r of the pre-RoPE key factorisation (capped at H*D)
	ShadowChunk    int     // shadowkv: tokens per landmark chunk
	ShadowOutliers int     // shadowkv: outlier chunks kept exact per head
	ShadowRecent   int     // shadowkv: recent tokens kept exact
	RoPEBase       float64 // shadowkv: RoPE base of the post-RoPE traces (non-interleaved halves)

	MoBABlock int // moba: block size Bs; the budget buys B/Bs blocks

	DuoRetrievalFrac float64 // duo: fraction of heads kept as retrieval heads
	DuoCalibQueries  int     // duo: last prompt queries of the calibration
}

// DefaultParams returns the published defaults for a budget: 4 sinks,
// half of B recent, w = 32 with kernel 5, pages of 16.
func DefaultParams(budget int) Params {
	return Params{
		Budget: budget, Sinks: 4, H2ORecent: 0.5, SnapWindow: 32, SnapKernel: 5, QuestPage: 16,
		ElemBits: 16, KIVIBits: 2, KIVIGroup: 32, KIVIResidual: 128, PQBits: 8, PQResidual: 128, PQIters: 10,
		ShadowRank: 160, ShadowChunk: 8, ShadowOutliers: 2, ShadowRecent: 32, RoPEBase: 10000,
		MoBABlock: 64, DuoRetrievalFrac: 0.5, DuoCalibQueries: 32,
	}
}

// Data is the layer's Q ([H, N, D]), K and V ([Hkv, N, D], Hkv dividing
// H: grouped-query attention, query head h reading kv head h/(H/Hkv)) that
// policies may read. At step t a policy reads rows <= t only.
type Data struct {
	Q, K, V *reference.Tensor
}

// KVHead is the kv head that query head h reads.
func (d Data) KVHead(h int) int { return h / (d.Q.H / d.K.H) }

// Prefill holds dense statistics of the prompt's causal attention, per
// query head.
type Prefill struct {
	P      int
	ColSum [][]float64 // [H][P]: sum over prompt queries i of a_ij (H2O); nil when not needed
	Last   [][]float64 // [H][P]: a_{P-1,j}, the last prompt query
	LastO  [][]float64 // [H][D]: the last prompt query's output
	Window [][]float64 // [H][P]: sum over the last W prompt queries of a_ij (SnapKV); nil when not needed
	W      int         // the observation window of Window
}

// Obs is the attention of the last query, per query head.
type Obs struct {
	T   int
	Att [][]int     // attended tokens, ascending
	P   [][]float64 // their probabilities, aligned with Att (filled when NeedsProbs)
	S   [][]float64 // their logits, aligned with Att
	M   []float64   // the merged maximum logit
	L   []float64   // the merged sum of exponentials
	O   [][]float64 // the output
}

// Prob returns head h's probability of token j (0 when j was not
// attended), from P when filled, else from the logits.
func (o *Obs) Prob(h, j int) float64 {
	att := o.Att[h]
	i := sort.SearchInts(att, j)
	if i >= len(att) || att[i] != j {
		return 0
	}
	if i < len(o.P[h]) {
		return o.P[h][i]
	}
	return math.Exp(o.S[h][i]-o.M[h]) / o.L[h]
}

// NeedsProbs reports whether the policy reads Obs.P.
func NeedsProbs(name string) bool {
	switch name {
	case "h2o", "caote-h2o", "tova", "caote-tova":
		return true
	}
	return false
}

// Cost is the work behind a policy's decisions in one decode step.
type Cost struct {
	MetaPages  []int   // per head: pages [0, n) whose metadata is read
	MetaWrite  int     // page whose metadata is written this step, or -1
	SelectMACs int64   // scoring multiply-accumulates
	Candidates int64   // candidates through the top-k/argmin unit
	VRows      [][]int // per head: tokens whose V rows a second pass reads (CAOTE)
	// ExtraBits are bits read from each tier (0 on chip, 1 HBM/DDR, 2
	// host) before attention, outside the K/V rows: pq's codebooks,
	// shadowkv's landmarks and key factor rows.
	ExtraBits [3]int64
}

// Reset empties the cost for heads heads.
func (c *Cost) Reset(heads int) {
	if len(c.MetaPages) != heads {
		c.MetaPages = make([]int, heads)
		c.VRows = make([][]int, heads)
	}
	clear(c.MetaPages)
	for h := range c.VRows {
		c.VRows[h] = c.VRows[h][:0]
	}
	c.MetaWrite, c.SelectMACs, c.Candidates = -1, 0, 0
	c.ExtraBits = [3]int64{}
}

// Policy decides a layer's KV cache during decode.
type Policy interface {
	// Name is the policy's name (one of Names).
	Name() string
	// Start builds the cache from the prompt tokens 0..P-1 at prefill end.
	Start(pf *Prefill)
	// Heads are kv heads in Evict, Append, Attended and Cache (with GQA a
	// kv head's group of query heads shares its cache and selection,
	// scored by the sum over the group); Obs and Prefill are per query
	// head.

	// Evict shrinks every head's cache to at most Budget-1 tokens before
	// token t is appended, deciding with the last query's attention; it
	// returns the evicted tokens per head.
	Evict(t int, last *Obs, c *Cost) [][]int
	// Append adds token t to every head's cache.
	Append(t int, c *Cost)
	// Attended returns the tokens head h's query attends to at step t,
	// ascending (the whole cache except for selecting policies).
	Attended(t, h int, c *Cost) []int
	// Observe records step t's attention.
	Observe(obs *Obs)
	// Cache returns head h's cached tokens, ascending.
	Cache(h int) []int
}

// New returns the named policy over data with the given parameters.
func New(name string, data Data, p Params) (Policy, error) {
	if data.Q == nil || data.K == nil || data.V == nil {
		return nil, fmt.Errorf("policy %s: needs q, k and v", name)
	}
	if data.K.H < 1 || data.Q.H%data.K.H != 0 || data.V.H != data.K.H {
		return nil, fmt.Errorf("policy %s: %d query heads, %d key and %d value heads: the kv heads must be equal and divide the query heads", name, data.Q.H, data.K.H, data.V.H)
	}
	if p.Budget < 1 {
		return nil, fmt.Errorf("budget = %d: must be >= 1 (keys attended per decode query, its own included)", p.Budget)
	}
	b := newBase(name, data, p)
	switch name {
	case "full":
		return &full{b}, nil
	case "streaming":
		if p.Sinks < 0 || p.Budget <= p.Sinks {
			return nil, fmt.Errorf("streaming: budget = %d with sinks = %d: need 0 <= sinks < budget (window = budget - sinks >= 1)", p.Budget, p.Sinks)
		}
		return &streaming{b}, nil
	case "h2o", "caote-h2o":
		if !(p.H2ORecent >= 0 && p.H2ORecent <= 1) {
			return nil, fmt.Errorf("%s: h2o_recent = %g: must be in [0, 1]", name, p.H2ORecent)
		}
		return &h2o{base: b, caote: name == "caote-h2o", recent: min(p.Budget, max(1, int(math.Round(p.H2ORecent*float64(p.Budget)))))}, nil
	case "tova", "caote-tova":
		return &tova{base: b, caote: name == "caote-tova"}, nil
	case "snapkv":
		if p.SnapWindow < 1 || p.SnapKernel < 1 || p.SnapKernel%2 == 0 {
			return nil, fmt.Errorf("snapkv: window = %d, kernel = %d: need window >= 1 and an odd kernel >= 1", p.SnapWindow, p.SnapKernel)
		}
		if p.Budget <= p.SnapWindow {
			return nil, fmt.Errorf("snapkv: budget = %d with snapkv_window = %d: need budget > window (SnapKV keeps the %d window tokens plus at least one selected prompt token); raise --budget or lower kv.policy.snapkv_window", p.Budget, p.SnapWindow, p.SnapWindow)
		}
		return &snapKV{base: b}, nil
	case "quest":
		if p.QuestPage < 1 || p.Budget < p.QuestPage {
			return nil, fmt.Errorf("quest: budget = %d with page = %d: need page >= 1 and budget >= page (the budget buys whole pages)", p.Budget, p.QuestPage)
		}
		return newQuest(b), nil
	case "kivi":
		return newKIVI(b)
	case "pq":
		return newPQ(b)
	case "shadowkv":
		return newShadowKV(b)
	case "moba":
		return newMoBA(b)
	case "duo":
		return newDuo(b)
	}
	return nil, fmt.Errorf("policy %q: unknown; allowed: %s", name, strings.Join(Names, ", "))
}

// UsesBudget reports whether the policy's budget limits the keys a query
// attends to (full, kivi and pq attend to every token).
func UsesBudget(name string) bool { return name != "full" && name != "kivi" && name != "pq" }

// KeepsAll reports whether the policy caches every token (nothing is
// evicted), so that its cache grows to the whole context.
func KeepsAll(name string) bool {
	switch name {
	case "full", "quest", "kivi", "pq", "shadowkv", "moba", "duo": // duo: its retrieval heads
		return true
	}
	return false
}

// NeedsColSum reports whether the policy reads Prefill.ColSum.
func NeedsColSum(name string) bool { return name == "h2o" || name == "caote-h2o" }

// NeedsWindow reports whether the policy reads Prefill.Window.
func NeedsWindow(name string) bool { return name == "snapkv" }

// CAOTEError is CAOTE's eviction error of a token with probability a and
// value row v under the output o: a/(1-a) * ||o - v||_2, the exact norm of
// the change of o when the token is dropped and the rest renormalised
// (+Inf when a = 1: the token is the only one).
func CAOTEError(a float64, o, v []float64) float64 {
	if a >= 1 {
		return math.Inf(1)
	}
	var s float64
	for d, x := range o {
		s += (x - v[d]) * (x - v[d])
	}
	return a / (1 - a) * math.Sqrt(s)
}
