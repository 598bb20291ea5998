// Package memtier is a memory tier as an Akita v3 component: a set of
// independent channels of equal bandwidth behind a fixed access latency
// (HBM or DDR behind its controller, host memory behind a PCIe-like link,
// or the on-chip buffer's banks). A TransferReq names how many bytes each
// channel moves; the tier queues them behind earlier transfers on the same
// channels and answers with one TransferRsp when the last byte has arrived:
// done = max over channels of (max(now, channel free) + bytes / channel
// bandwidth) + latency. One request and one event per transfer, not per
// burst, keep the simulation event-sparse.
package memtier
