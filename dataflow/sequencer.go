package dataflow

// Sequencer is the cycle-exact model of the core at its stream ports. It is
// event-sparse: runs of on-chip keys advance in one step. Run can stop
// when a beat has not arrived and resume later.
type Sequencer struct {
	S     *Schedule
	T     Timing
	Order *Order // the core's block sequence
	// Obs, if set, is told of every action (the datapath and the trace
	// follow the sequencer through it).
	Obs Observer

	cycle int64
	beats [numStreams]int64
	bi    int // index of the current block in Order
	blk   Block
	phase Phase
	pos   int   // beat index in load/out phases; key offset in the current segment
	seg   int   // current sweep segment
	last  int64 // issue cycle of the previous key in the sweep (-1: none yet)
	bt    BlockTimes
	done  BlockTimes // the finished block's times, for the observer
	// Stall counts, per stream, the cycles spent waiting for beats.
	Stall [numStreams]int64
	// MACCycles counts the cycles the dot-product unit issued a key slice.
	MACCycles int64
	// act is the block of the action in progress (the swept block, or the
	// next one while the overlapped schedule loads or preloads it).
	act *Block
	ov  *overlapState
}

// NewSequencer returns the sequencer of core c at cycle 0 before its first
// block.
func NewSequencer(s *Schedule, t Timing, c int) *Sequencer {
	e := &Sequencer{S: s, T: t, Order: s.CoreOrder(c)}
	e.act = &e.blk
	if s.Overlap {
		e.startOverlap()
		return e
	}
	e.startBlock(0)
	return e
}

// Cycle is the sequencer's current cycle: every action before it is done.
func (e *Sequencer) Cycle() int64 { return e.cycle }

// Next is the cycle of the sequencer's next action.
func (e *Sequencer) Next() int64 {
	if e.ov != nil {
		return e.ov.next(e)
	}
	if e.phase == PhSweep && e.last >= 0 {
		return e.last + int64(e.T.Period())
	}
	return e.cycle
}

// Done reports whether all blocks have finished.
func (e *Sequencer) Done() bool { return e.phase == PhDone }

// Beats is the number of beats transferred so far on stream s.
func (e *Sequencer) Beats(s Stream) int64 { return e.beats[s] }

// Phase is the phase the sequencer is in.
func (e *Sequencer) Phase() Phase { return e.phase }

// Pos is the index of the next beat of a load or output phase.
func (e *Sequencer) Pos() int { return e.pos }

// Current is the block of the action in progress.
func (e *Sequencer) Current() *Block { return e.act }

func (e *Sequencer) startBlock(c int64) {
	if e.bi >= e.Order.Len() {
		e.phase = PhDone
		return
	}
	e.blk = e.Order.Block(e.bi)
	e.bt = BlockTimes{Block: e.blk}
	e.enter(PhPreload, c)
	if e.blk.Preload == 0 {
		e.enter(PhLoadQ, c)
	}
}

func (e *Sequencer) enter(p Phase, c int64) {
	if p > 0 && p < numPhases {
		e.bt.End[p-1] = c
	}
	e.phase, e.pos, e.cycle = p, 0, c
	e.bt.Start[p] = c
}

// Run advances the sequencer until it is done, a beat is not known yet, or
// its cycle passes until (until < 0: no limit). It returns false when it
// stopped on an unknown beat.
func (e *Sequencer) Run(p Ports, until int64) bool {
	step := e.step
	if e.ov != nil {
		step = e.stepOverlap
	}
	for e.phase != PhDone && (until < 0 || e.Next() <= until) {
		if !step(p) {
			return false
		}
	}
	return true
}

// step performs one action of the current phase.
func (e *Sequencer) step(p Ports) bool {
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
		e.enter(PhOut, e.cycle+int64(e.T.NormCycles()))
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
func (e *Sequencer) beat(p Ports, s Stream, n int, next Phase) bool {
	if e.pos >= n {
		e.enter(next, e.cycle)
		if next == PhSweep {
			e.seg, e.last = 0, -1
		}
		return true
	}
	return e.take(p, s, &e.bt)
}

// take transfers the next beat of stream s for the action's block (whose
// times are bt) at the first cycle >= the current one the port allows,
// and moves past it.
func (e *Sequencer) take(p Ports, s Stream, bt *BlockTimes) bool {
	c, ok := p.Transfer(s, e.beats[s], e.cycle)
	if !ok {
		return false
	}
	e.Stall[s] += c - e.cycle
	bt.Stall[s] += c - e.cycle
	if e.Obs != nil {
		e.Obs.Beat(e.act, s, e.beats[s], c)
	}
	e.beats[s]++
	e.pos++
	e.cycle = c + 1
	return true
}

// streamKey issues stream key `key` of the swept block's segment sg with
// its k/v beat, at the first cycle >= next the beat can transfer.
func (e *Sequencer) streamKey(p Ports, sg Segment, key int, next int64) (int64, bool) {
	c, ok := p.Transfer(StreamKV, e.beats[StreamKV], next)
	if !ok {
		return 0, false
	}
	e.account(StreamKV, c-next)
	if e.Obs != nil {
		e.Obs.Beat(&e.blk, StreamKV, e.beats[StreamKV], c)
		e.Obs.Keys(&e.blk, sg, key, key)
	}
	e.beats[StreamKV]++
	return c, true
}

func (e *Sequencer) account(s Stream, wait int64) {
	e.Stall[s] += wait
	e.bt.Stall[s] += wait
}

// sweep issues the keys of the current segment: a stream segment one key
// at a time, an on-chip segment in one step.
func (e *Sequencer) sweep(p Ports) bool {
	if e.seg >= len(e.blk.Segs) {
		t := e.T
		e.MACCycles += int64(e.blk.Keys() * t.C)
		e.enter(PhNorm, e.last+int64(t.Tail()))
		return true
	}
	sg := e.blk.Segs[e.seg]
	next := e.cycle
	if e.last >= 0 {
		next = e.last + int64(e.T.Period())
	}
	if sg.Src != SrcStream {
		e.last = next + int64((sg.Len()-1)*e.T.Period())
		if e.Obs != nil {
			e.Obs.Keys(&e.blk, sg, sg.Lo, sg.Hi)
		}
		e.seg++
		e.pos = 0
		return true
	}
	c, ok := e.streamKey(p, sg, sg.Lo+e.pos, next)
	if !ok {
		return false
	}
	e.last = c
	if e.pos++; e.pos == sg.Len() {
		e.seg++
		e.pos = 0
	}
	return true
}

func (e *Sequencer) finishBlock() {
	e.bt.End[PhOut] = e.cycle
	if e.Obs != nil {
		e.done = e.bt
		e.Obs.BlockDone(&e.done)
	}
	e.bi++
	e.startBlock(e.cycle)
}
