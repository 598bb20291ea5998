// Package explore searches a design space: a space file names a base design,
// the fields to vary (lists or ranges, their cartesian product or a seeded
// sample of it), constraints and objectives. Every point runs through the
// timing-only cycle model (sim.Run) and lands in an append-only results
// store (DIR/results.jsonl) keyed by a hash of the resolved design, so runs
// resume after a crash, split into shards (one per Slurm array task) and
// merge back into the same results a single local run gives. From the store
// it builds the Pareto front of the feasible points (pareto.csv) and draws
// the front and a roofline (pareto.png, roofline.png).
package explore
