// Package dataflow holds the design point (model shape, architecture,
// arithmetic, hardware and memory parameters, loaded from YAML), the device
// catalogue (devices.go), and the schedule derived from them: how query
// rows are grouped into blocks, which keys each block sweeps and from
// where (SWAT, dense, flash), how heads, K/V groups and cores share the
// work (units.go), and the exact cycle of every action, plain or
// overlapped (the Sequencer). The cycle model (accel, sim) and the
// generated Verilog (hdlgen) both implement this schedule; SCHEDULE.md is
// its prose contract.
package dataflow
