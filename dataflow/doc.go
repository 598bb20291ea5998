// Package dataflow holds the design point (model shape, architecture,
// arithmetic, hardware and memory parameters, loaded from YAML) and the
// schedule derived from it: how query rows are grouped into blocks, which
// keys each block sweeps and from where, and the exact cycle count of every
// phase. The cycle model (accel, sim) and the generated Verilog (hdlgen)
// both implement this schedule; SCHEDULE.md is its prose contract.
package dataflow
