// Package synth synthesizes the Verilog of package hdlgen with Yosys
// (Yosys: one of the hdlgen.Targets, flat or hierarchical, its stat parsed
// into resource.Resources; FormatComparison prints it beside the formula
// estimate) and, on an iCE40, places and routes it with nextpnr-ice40 and
// packs the bitstream with icepack (PlaceRoute, after FitCheck refuses a
// design that cannot fit the Device). Every tool runs in a process group
// of its own under a context, so cancelling it stops the tool and
// everything it started.
//
// It also collects the resource fit's data: TrainingSet and HeldOutSet are
// seeded draws of design points, Measure synthesizes them on xc7 and xcup,
// FormatCSV/ReadCSV keep the counts in testdata/fit, FitModel fits
// dataflow/resource's formulas to the training set and LeaveOneOut
// measures how they predict each training point from the others (the
// command cmd/fitdata does all of it; docs/hdl.md, "Fitted resource
// formulas").
package synth
