// Package kv is the decode-phase model of a KV-cache memory hierarchy for
// one attention layer. A prompt of P tokens is prefilled (its K/V enter the
// cache), then one query per step t = P..N-1 attends to the growing cache,
// token t's own K/V appended first. A policy (package policy) decides which
// tokens stay and which each query attends to under a token budget; the
// cached tokens are placed, newest first, in an on-chip buffer, then
// HBM/DDR, then host memory, in a paged layout (package paged) whose
// gathers move whole bursts. Each query's attention is computed exactly as
// split attention (package split): one (o, m, l) part per tier, merged by
// log-sum-exp. Every step yields accuracy metrics against full attention
// (relative L2 error, cosine, kept attention mass, top-k recall, CAOTE
// eviction error), the bytes each tier moves, and its cycles from an Akita
// cycle model (package timing). Several policies run in lock step over the
// same data so that the full-attention reference is computed once.
package kv
