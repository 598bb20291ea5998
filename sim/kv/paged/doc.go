// Package paged is the paged (vLLM-style) layout of a KV cache in one
// memory tier: per head, the K rows and the V rows of the cached tokens
// live in fixed-size blocks of BlockTokens rows; a block table maps each
// (head, K or V, logical block = token / BlockTokens) to a physical block,
// allocated when its first row arrives and freed when its last row leaves.
// Accesses are counted at the memory's granularity — whole bursts, or whole
// blocks — and spread over channels by address interleaving, so that the
// bytes a tier moves for a scattered selection are exact.
package paged
