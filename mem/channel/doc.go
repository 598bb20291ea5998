// Package channel books transfers on a set of independent memory channels
// of equal bandwidth: each channel serves its bytes one transfer after
// another, so a transfer starts when both it has arrived and the channel
// is free, and occupies the channel for bytes / bandwidth. The prefill
// memory controller (sim/bwmem) and the decode memory tiers
// (sim/kv/memtier) both queue their traffic through a Set.
package channel
