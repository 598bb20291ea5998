// Package sim assembles a design point into an Akita v3 platform — loaders,
// the attention core, the output writer and the off-chip memory — runs it,
// and reports cycles, latency, utilisation, bytes per tier, energy and
// resources. Sub-package kv models the KV-cache hierarchy of decoding.
package sim
