package policy

// Approximator is implemented by the policies that attend to
// approximations of the cached keys or values (kivi, pq, shadowkv). A
// driver computes head h's logits of query t over the attended tokens with
// Logits instead of q_t . k_j * scale, and reads value rows through Value.
// Both read only rows <= t of Q, K and V.
type Approximator interface {
	// Logits writes into s[j], for every j of att, head h's logit of the
	// query of step t for key j as the policy computes it.
	Logits(t, h int, att []int, s []float64)
	// Value returns head h's value row of token j as the query of step t
	// sees it (read-only).
	Value(t, h, j int) []float64
}

// Compressed is implemented by the policies that store rows of the cache
// in fewer bits than kv.elem_bytes (kivi, pq, shadowkv): a driver counts
// the bits ReadBits returns instead of whole K and V rows.
type Compressed interface {
	// ReadBits returns the bits head h's query of step t reads to attend
	// the tokens toks (ascending; one memory tier's part): codes, scales
	// and minimums (16 bits each), and rows kept at full precision
	// (elemBits per element).
	ReadBits(t, h int, toks []int, elemBits int64) int64
}

// Describer is implemented by policies that report a decision taken at
// prefill end (duo: which heads retrieve).
type Describer interface {
	// Describe returns the decision in one line.
	Describe() string
}

// Placer is implemented by the policies that choose the memory tier of
// each cached token themselves (shadowkv keeps its exact tokens on chip
// and offloads the other values to host memory).
type Placer interface {
	// Tier returns the tier (0 on chip, 1 HBM/DDR, 2 host) of head h's
	// cached token j.
	Tier(h, j int) int
}

// MetaLayout returns the metadata a selecting policy reads per decode
// step: rows (of D elements) per entry and tokens per entry (Quest: the
// key minimum and maximum per page; MoBA: the mean key per block); 0, 0
// for the others.
func MetaLayout(name string, p Params) (rows, tokens int) {
	switch name {
	case "quest":
		return 2, p.QuestPage
	case "moba":
		return 1, p.MoBABlock
	}
	return 0, 0
}
