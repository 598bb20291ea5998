// Package split is exact split attention: the attention of one query over a
// partition of its keys, computed per part as (o, m, l) — the part's
// normalised output, its running maximum logit and its sum of exponentials
// — and merged by log-sum-exp, as HGCA, DistAttention and MILLION merge an
// on-chip recent part with an offloaded part. The float64 merge equals
// dense attention to rounding; MergeUnit is the hardware merge in the
// reference fixed-point arithmetic (reference.Kernel's exp unit and
// division), with the exact identities stated on its methods.
package split
