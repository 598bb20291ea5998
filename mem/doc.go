// Package mem holds the memory components shared by the prefill platform
// (sim, sim/bwmem) and the decode model (sim/kv): see its sub-packages.
package mem
