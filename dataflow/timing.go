package dataflow

// Timing holds the core's fixed latencies in cycles (SCHEDULE.md).
type Timing struct {
	C  int // slices per key: head_dim / vector_width
	Ls int // softmax latency: latency.score + latency.exp
	La int // accumulator update (SV lane) latency: latency.acc
	Ln int // output multiply (o = acc * r) latency: latency.norm
	Lr int // reciprocal latency: recip_bits + 1 + latency.recip
}

// Timing derives the core latencies of the design point.
func (d *Design) Timing() Timing {
	a, _ := d.ArithSpec()
	l := d.HW.Latency
	return Timing{C: d.Slices(), Ls: l.Score + l.Exp, La: l.Acc, Ln: l.Norm, Lr: a.RecipBits + 1 + l.Recip}
}

// Period is the least number of cycles between two key issues:
// max(C, La). A PE updates each accumulator slice once per key, and the
// update of a slice must leave the La-stage lane before the next key's
// update of the same slice enters it, so with C < La the core issues a
// key every La cycles.
func (t Timing) Period() int { return max(t.C, t.La) }

// Tail is the number of cycles from the last key's issue to the end of
// the sweep: C + Ls + Period (the dot slices, the softmax, the SV slices
// of the accumulator ring).
func (t Timing) Tail() int { return t.C + t.Ls + t.Period() }

// NormCycles is the length of the norm phase: Lr + C + Ln - 1 (the
// reciprocal, then one accumulator slice per cycle into the Ln-stage
// output multiply).
func (t Timing) NormCycles() int { return t.Lr + t.C + t.Ln - 1 }

// SweepCycles is the length of the sweep of a block of k keys with ideal
// streams: (k-1) * Period + Tail.
func (t Timing) SweepCycles(k int) int64 { return int64(k-1)*int64(t.Period()) + int64(t.Tail()) }

// Stream names one of the core's stream ports.
type Stream int

const (
	// StreamQ is the query-row input.
	StreamQ Stream = iota
	// StreamKV is the K and V inputs, which transfer together.
	StreamKV
	// StreamO is the output-row port.
	StreamO
	numStreams
)

// String names the stream.
func (s Stream) String() string { return [...]string{"q", "kv", "o"}[s] }

// Ports says when beats transfer on the core's stream ports.
type Ports interface {
	// Transfer returns the first cycle >= t at which beat n of stream s
	// (counted from 0 over the whole run) can transfer, or ok = false when
	// that is not known yet (the beat has not arrived).
	Transfer(s Stream, n int64, t int64) (c int64, ok bool)
}

// Phase is a phase of the core's block loop.
type Phase int

const (
	// PhPreload streams the pinned keys in (first windowed SWAT block).
	PhPreload Phase = iota
	// PhLoadQ takes the block's query rows.
	PhLoadQ
	// PhSweep runs the fused QK^T -> exp -> SV pipeline over the keys.
	PhSweep
	// PhNorm computes 1/l and multiplies the accumulators by it.
	PhNorm
	// PhOut sends the block's output rows.
	PhOut
	// PhDone means every head and block is finished.
	PhDone
	numPhases
)

// String names the phase.
func (p Phase) String() string {
	return [...]string{"preload", "loadq", "sweep", "norm", "out", "done"}[p]
}

// BlockTimes records when each phase of one block started and ended
// (end = the first cycle after the phase).
type BlockTimes struct {
	Block      Block
	Start, End [numPhases]int64
	Stall      [numStreams]int64 // cycles the block waited on each stream
}

// Observer follows the sequencer's actions in order.
type Observer interface {
	// Beat reports that beat n of stream s, of block b, transferred in
	// cycle c.
	Beat(b *Block, s Stream, n int64, c int64)
	// Keys reports that keys lo..hi of segment seg were issued to the PE
	// array (a stream segment reports one key at a time, after its Beat).
	Keys(b *Block, seg Segment, lo, hi int)
	// Norm reports that the block's division phase ran.
	Norm(b *Block)
	// BlockDone reports a finished block and its phase times (bt is
	// valid during the call only).
	BlockDone(bt *BlockTimes)
}

// IdealPorts transfers every beat at the first cycle it is wanted.
type IdealPorts struct{}

// Transfer implements Ports.
func (IdealPorts) Transfer(_ Stream, _ int64, t int64) (int64, bool) { return t, true }

// BlockCycles is the closed-form cycle count of one block with ideal
// streams: preload + rows + SweepCycles(keys) + NormCycles + rows.
func (t Timing) BlockCycles(b *Block) int64 {
	r := int64(b.Rows())
	return int64(b.Preload) + r + t.SweepCycles(b.Keys()) + int64(t.NormCycles()) + r
}

// IdealCycles is the closed-form cycle count of the whole run with ideal
// streams: per core, the sum of BlockCycles over the blocks of its order;
// the run ends with the slowest core.
func IdealCycles(s *Schedule, t Timing) int64 {
	var c int64
	for core := 0; core < s.Cores; core++ {
		c = max(c, CoreIdealCycles(s, t, core))
	}
	return c
}

// CoreIdealCycles is the closed-form cycle count of one core.
func CoreIdealCycles(s *Schedule, t Timing, core int) int64 {
	o := s.CoreOrder(core)
	var c int64
	for i := 0; i < o.Len(); i++ {
		blk := o.Block(i)
		c += t.BlockCycles(&blk)
	}
	return c
}
