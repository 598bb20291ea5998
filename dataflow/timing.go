package dataflow

// Timing holds the core's fixed latencies in cycles (SCHEDULE.md).
type Timing struct {
	C  int // slices per key: head_dim / vector_width
	Ls int // softmax latency: latency.score + latency.exp
	Lr int // reciprocal latency: recip_bits + 2
}

// Timing derives the core latencies of the design point.
func (d *Design) Timing() Timing {
	a, _ := d.ArithSpec()
	return Timing{C: d.Slices(), Ls: d.HW.Latency.Score + d.HW.Latency.Exp, Lr: a.RecipBits + 2}
}

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

// Observer follows the engine's actions in order.
type Observer interface {
	// Beat reports that beat n of stream s transferred in cycle c.
	Beat(s Stream, n int64, c int64)
	// Keys reports that keys lo..hi of segment seg were issued to the PE
	// array (a stream segment reports one key at a time, after its Beat).
	Keys(b *Block, seg Segment, lo, hi int)
	// Norm reports that the block's division phase ran.
	Norm(b *Block)
	// BlockDone reports a finished block and its phase times.
	BlockDone(bt *BlockTimes)
}

// Engine is the cycle-exact model of the core at its stream ports. It is
// event-sparse: runs of on-chip keys advance in one step. Run can stop
// when a beat has not arrived and resume later.
type Engine struct {
	S     *Schedule
	T     Timing
	Heads int
	// Obs, if set, is told of every action (the datapath and the trace
	// follow the engine through it).
	Obs Observer

	cycle int64
	beats [numStreams]int64
	head  int
	bi    int
	blk   Block
	phase Phase
	pos   int   // beat index in load/out phases; key offset in the current segment
	seg   int   // current sweep segment
	last  int64 // issue cycle of the previous key in the sweep (-1: none yet)
	bt    BlockTimes
	// Stall counts, per stream, the cycles spent waiting for beats.
	Stall [numStreams]int64
	// MACCycles counts the cycles the dot-product unit issued a key slice.
	MACCycles int64
}

// NewEngine returns an engine at cycle 0 before the first block.
func NewEngine(s *Schedule, t Timing, heads int) *Engine {
	e := &Engine{S: s, T: t, Heads: heads}
	e.startBlock(0)
	return e
}

// Cycle is the engine's current cycle: every action before it is done.
func (e *Engine) Cycle() int64 { return e.cycle }

// Next is the cycle of the engine's next action.
func (e *Engine) Next() int64 {
	if e.phase == PhSweep && e.last >= 0 {
		return e.last + int64(e.T.C)
	}
	return e.cycle
}

// Done reports whether all blocks have finished.
func (e *Engine) Done() bool { return e.phase == PhDone }

// Beats is the number of beats transferred so far on stream s.
func (e *Engine) Beats(s Stream) int64 { return e.beats[s] }

// Phase is the phase the engine is in.
func (e *Engine) Phase() Phase { return e.phase }

// Current is the block being processed.
func (e *Engine) Current() *Block { return &e.blk }

func (e *Engine) startBlock(c int64) {
	if e.bi >= e.S.Blocks() {
		e.bi = 0
		e.head++
	}
	if e.head >= e.Heads {
		e.phase = PhDone
		return
	}
	e.blk = e.S.Block(e.head, e.bi)
	e.bt = BlockTimes{Block: e.blk}
	e.enter(PhPreload, c)
	if e.blk.Preload == 0 {
		e.enter(PhLoadQ, c)
	}
}

func (e *Engine) enter(p Phase, c int64) {
	if p > 0 && p < numPhases {
		e.bt.End[p-1] = c
	}
	e.phase, e.pos, e.cycle = p, 0, c
	e.bt.Start[p] = c
}

// Run advances the engine until it is done, a beat is not known yet, or
// its cycle passes until (until < 0: no limit). It returns false when it
// stopped on an unknown beat.
func (e *Engine) Run(p Ports, until int64) bool {
	for e.phase != PhDone && (until < 0 || e.Next() <= until) {
		if !e.step(p) {
			return false
		}
	}
	return true
}

// step performs one action of the current phase.
func (e *Engine) step(p Ports) bool {
	switch e.phase {
	case PhPreload:
		return e.beat(p, StreamKV, e.blk.Preload, PhLoadQ)
	case PhLoadQ:
		return e.beat(p, StreamQ, e.blk.Rows(), PhSweep)
	case PhSweep:
		return e.sweep(p)
	case PhNorm:
		if e.Obs != nil {
			e.Obs.Norm(&e.blk)
		}
		e.enter(PhOut, e.cycle+int64(e.T.Lr+e.T.C))
		return true
	case PhOut:
		if !e.beat(p, StreamO, e.blk.Rows(), PhDone) {
			return false
		}
		if e.phase == PhDone {
			e.finishBlock()
		}
		return true
	}
	return true
}

// beat transfers beat pos of a load or output phase.
func (e *Engine) beat(p Ports, s Stream, n int, next Phase) bool {
	if e.pos >= n {
		e.enter(next, e.cycle)
		if next == PhSweep {
			e.seg, e.last = 0, -1
		}
		return true
	}
	c, ok := p.Transfer(s, e.beats[s], e.cycle)
	if !ok {
		return false
	}
	e.account(s, c-e.cycle)
	if e.Obs != nil {
		e.Obs.Beat(s, e.beats[s], c)
	}
	e.beats[s]++
	e.pos++
	e.cycle = c + 1
	return true
}

func (e *Engine) account(s Stream, wait int64) {
	e.Stall[s] += wait
	e.bt.Stall[s] += wait
}

// sweep issues the keys of the current segment: a stream segment one key
// at a time, an on-chip segment in one step.
func (e *Engine) sweep(p Ports) bool {
	if e.seg >= len(e.blk.Segs) {
		t := e.T
		e.MACCycles += int64(e.blk.Keys() * t.C)
		e.enter(PhNorm, e.last+int64(2*t.C+t.Ls))
		return true
	}
	sg := e.blk.Segs[e.seg]
	next := e.cycle
	if e.last >= 0 {
		next = e.last + int64(e.T.C)
	}
	if sg.Src != SrcStream {
		e.last = next + int64((sg.Len()-1)*e.T.C)
		if e.Obs != nil {
			e.Obs.Keys(&e.blk, sg, sg.Lo, sg.Hi)
		}
		e.seg++
		e.pos = 0
		return true
	}
	c, ok := p.Transfer(StreamKV, e.beats[StreamKV], next)
	if !ok {
		return false
	}
	e.account(StreamKV, c-next)
	if e.Obs != nil {
		e.Obs.Beat(StreamKV, e.beats[StreamKV], c)
		e.Obs.Keys(&e.blk, sg, sg.Lo+e.pos, sg.Lo+e.pos)
	}
	e.beats[StreamKV]++
	e.last = c
	if e.pos++; e.pos == sg.Len() {
		e.seg++
		e.pos = 0
	}
	return true
}

func (e *Engine) finishBlock() {
	e.bt.End[PhOut] = e.cycle
	if e.Obs != nil {
		bt := e.bt
		e.Obs.BlockDone(&bt)
	}
	e.bi++
	e.startBlock(e.cycle)
}

// IdealPorts transfers every beat at the first cycle it is wanted.
type IdealPorts struct{}

// Transfer implements Ports.
func (IdealPorts) Transfer(_ Stream, _ int64, t int64) (int64, bool) { return t, true }

// BlockCycles is the closed-form cycle count of one block with ideal
// streams: preload + rows + ((keys-1)*C + 2C + Ls) + (Lr + C) + rows.
func (t Timing) BlockCycles(b *Block) int64 {
	r, k := int64(b.Rows()), int64(b.Keys())
	return int64(b.Preload) + r + (k-1)*int64(t.C) + int64(2*t.C+t.Ls) + int64(t.Lr+t.C) + r
}

// IdealCycles is the closed-form cycle count of the whole run with ideal
// streams: the sum of BlockCycles over every block of every head.
func IdealCycles(s *Schedule, t Timing, heads int) int64 {
	var c int64
	for b := 0; b < s.Blocks(); b++ {
		blk := s.Block(0, b)
		c += t.BlockCycles(&blk)
	}
	return c * int64(heads)
}
