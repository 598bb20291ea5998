// Package stream is the FIFO between a loader and the core's stream port:
// it records when each beat arrived (a loader pushed it) and when the core
// consumed it, so that both sides see exact occupancy at any cycle without
// ticking every cycle.
package stream
