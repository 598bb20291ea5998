// Package sim assembles a design point into an Akita v3 platform — per
// core its loaders, the attention core and the output writer, all cores
// sharing the off-chip memory — runs it, and reports cycles, latency,
// utilisation, bytes per tier, energy from activity, resources and the fit
// on the design's device; Analytic gives the closed-form report. Sub-package kv models the KV-cache hierarchy of decoding.
package sim
