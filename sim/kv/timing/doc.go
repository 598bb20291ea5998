// Package timing is the cycle model of KV-cache decode as Akita v3
// components: a Controller that walks the decode steps through their
// phases and three memtier tiers (on-chip buffer, HBM/DDR, host memory
// behind a PCIe-like link). One step runs, in order: background writes
// (the new token, migrations between tiers) issued at the step's start;
// pre-selection reads (Quest page metadata, CAOTE's second pass over V);
// selection compute (scoring MACs and a streaming top-k/argmin unit);
// gathers of the attended K/V rows from every tier in parallel, overlapped
// with attention that folds the tiers' parts in the order on-chip, off-chip,
// host (part i ends at max(part i-1 end + its MAC cycles, its data's
// arrival)); then the log-sum-exp merge of the parts and the final
// division. A step ends when the merge and its background writes are done;
// steps do not overlap (token t+1's query needs token t's output).
package timing
