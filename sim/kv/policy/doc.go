// Package policy holds the KV-cache policies of the decode model: which
// tokens of one layer's cache survive (eviction) and which of them each
// decode query attends to (selection), under a token budget B. B is the
// largest number of keys a decode query attends to, its own token
// included: before token t is appended, an evicting policy shrinks every
// head's cache to at most B-1 tokens, deciding with the attention of the
// last query (step t-1, or the last prompt query at prefill end), so that
// the query of step t attends to at most B tokens. The formulas are those
// of StreamingLLM, H2O, TOVA, SnapKV, CAOTE and Quest (see New).
package policy
