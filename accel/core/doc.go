// Package core provides the SWAT (or dense or flash baseline) attention core as an
// Akita component: the PE array with its fused QK^T -> exp -> SV pipeline,
// the K/V window ring and pinned buffers, and the division unit. Its timing
// is dataflow.Sequencer (the contract of dataflow/SCHEDULE.md, shared with the
// Verilog); in functional mode its datapath moves the real codes, key by
// key, through the reference arithmetic's function units.
package core
