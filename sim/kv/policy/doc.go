// Package policy holds the KV-cache policies of the decode model: which
// tokens of one layer's cache survive (eviction) and which of them each
// decode query attends to (selection), under a token budget B. B is the
// largest number of keys a decode query attends to, its own token
// included: before token t is appended, an evicting policy shrinks every
// head's cache to at most B-1 tokens, deciding with the attention of the
// last query (step t-1, or the last prompt query at prefill end), so that
// the query of step t attends to at most B tokens. The formulas are those
// of StreamingLLM, H2O, TOVA, SnapKV, CAOTE, Quest, MoBA and DuoAttention
// (selection and eviction), and of KIVI, MILLION-style product
// quantisation (pq) and ShadowKV (compression and retrieval); see New and
// each policy's type comment.
//
// Grouped-query attention: Data.K and Data.V may have fewer heads than
// Data.Q (a divisor of them). Caches, evictions and selections are then
// per kv head, each decided by scores summed over the kv head's group of
// query heads; Obs and Prefill stay per query head.
//
// Causality: at decode step t a policy reads only rows <= t of Q, K and V
// (the prompt's rows at Start), so a closed-loop driver may fill the
// tensors one row per step; a test drives every policy with the rows after
// t set to NaN.
//
// Optional interfaces: a driver of Policy objects gets every method's
// effect without per-policy code by checking for them.
//   - Approximator (kivi, pq, shadowkv): the policy attends to
//     approximate keys or values; compute the logits of the attended
//     tokens with Logits and read value rows with Value.
//   - Compressed (kivi, pq, shadowkv): the bits read per tier part are
//     ReadBits, not whole K and V rows.
//   - Placer (shadowkv): the policy chooses each cached token's tier.
//   - Describer (duo): a decision to report (its retrieval heads).
//
// Cost.ExtraBits carries per-step reads outside the K/V rows (codebooks,
// landmarks, factor rows) and MetaLayout the metadata of the selecting
// policies.
package policy
