package dataflow

// overlap stages of one swept block (SCHEDULE.md, "Overlapped phases").
const (
	ovPreload  = iota // preload of the block about to be swept (no overlap)
	ovLoad            // its q rows (no overlap)
	ovLoadNext        // q rows of the next block, during this sweep (overlap)
	ovSweep           // this block's keys
	ovNorm            // this block's division
	ovOut             // this block's output rows
)

// overlapState is the overlapped schedule's bookkeeping: the swept block
// is Sequencer.blk, the next one nxt.
type overlapState struct {
	stage   int
	nxt     Block
	hasNxt  bool
	btNxt   BlockTimes
	d       int     // offset of nxt's sweep in blk's (blk.Keys(): none)
	tail    []int64 // issue cycles of blk's first positions (inherited)
	newTail []int64 // issue cycles of blk's positions >= d
	x       int     // next sweep position of blk
	start   int64   // earliest issue of blk's first own position
	qEnd    int64   // end of blk's q load
	qEndNxt int64   // end of nxt's q load
	loaded  bool    // nxt's rows are loaded (during blk's sweep)
	// sweep end and output end of the last block of each bank (Seq mod
	// 2: its query registers and accumulators)
	sweepEnd, outEnd [2]int64
	lastPrev         int64 // last issue of the previous block
}

// startOverlap prepares the first block: its preload and q load.
func (e *Sequencer) startOverlap() {
	e.ov = &overlapState{lastPrev: -int64(e.T.Period())}
	if e.Order.Len() == 0 {
		e.phase = PhDone
		return
	}
	e.blk = e.Order.Block(0)
	e.bt = BlockTimes{Block: e.blk}
	e.ovBeginBlock(0)
}

// ovBeginBlock starts the preload and q load of blk (not overlapped with
// the previous sweep) at cycle c.
func (e *Sequencer) ovBeginBlock(c int64) {
	e.act = &e.blk
	e.ov.stage = ovPreload
	e.enter(PhPreload, c)
}

func (o *overlapState) next(e *Sequencer) int64 {
	if o.stage == ovSweep && e.last >= 0 {
		if o.x < len(o.tail) {
			return o.tail[o.x]
		}
		return e.last + int64(e.T.Period())
	}
	return e.cycle
}

// stepOverlap performs one action of the overlapped schedule.
func (e *Sequencer) stepOverlap(p Ports) bool {
	o := e.ov
	switch o.stage {
	case ovPreload:
		if e.pos >= e.blk.Preload {
			e.bt.End[PhPreload] = e.cycle
			o.stage = ovLoad
			e.phaseAt(&e.bt, PhLoadQ, max(e.cycle, o.qEnd, o.sweepEnd[e.blk.Seq%2]))
			return true
		}
		return e.take(p, StreamKV, &e.bt)
	case ovLoad:
		if e.pos >= e.blk.Rows() {
			e.bt.End[PhLoadQ] = e.cycle
			o.qEnd = e.cycle
			o.start = max(o.qEnd, o.lastPrev+int64(e.T.Period()), o.outEnd[e.blk.Seq%2])
			e.ovStartSweep()
			return true
		}
		return e.take(p, StreamQ, &e.bt)
	case ovLoadNext:
		if e.pos >= o.nxt.Rows() {
			o.btNxt.End[PhLoadQ] = e.cycle
			o.qEndNxt, o.loaded = e.cycle, true
			e.ovEnterSweep()
			return true
		}
		return e.take(p, StreamQ, &o.btNxt)
	case ovSweep:
		return e.ovSweep(p)
	case ovNorm:
		if e.Obs != nil {
			e.Obs.Norm(&e.blk)
		}
		e.bt.End[PhNorm] = e.cycle + int64(e.T.NormCycles())
		o.stage = ovOut
		e.phaseAt(&e.bt, PhOut, e.bt.End[PhNorm])
		return true
	case ovOut:
		if e.pos >= e.blk.Rows() {
			e.ovFinishBlock()
			return true
		}
		return e.take(p, StreamO, &e.bt)
	}
	return true
}

// phaseAt starts phase ph of the block whose times are bt at cycle c.
func (e *Sequencer) phaseAt(bt *BlockTimes, ph Phase, c int64) {
	e.phase, e.pos, e.cycle = ph, 0, c
	bt.Start[ph] = c
}

// ovStartSweep fetches the next block and decides the overlap; unless the
// next block preloads, its rows are loaded first (during blk's sweep).
func (e *Sequencer) ovStartSweep() {
	o := e.ov
	o.hasNxt, o.loaded = e.blk.Seq+1 < e.Order.Len(), false
	o.d = e.blk.Keys()
	if o.hasNxt {
		o.nxt = e.Order.Block(e.blk.Seq + 1)
		o.btNxt = BlockTimes{Block: o.nxt}
		o.d = e.S.Offset(&e.blk, &o.nxt, len(o.tail))
	}
	if o.hasNxt && o.nxt.Preload == 0 {
		o.stage = ovLoadNext
		e.act = &o.nxt
		e.phaseAt(&o.btNxt, PhLoadQ, max(o.qEnd, o.sweepEnd[o.nxt.Seq%2]))
		return
	}
	e.ovEnterSweep()
}

// ovEnterSweep starts blk's sweep.
func (e *Sequencer) ovEnterSweep() {
	o := e.ov
	e.act = &e.blk
	o.stage, o.x, o.newTail = ovSweep, 0, o.newTail[:0]
	e.seg, e.last = 0, -1
	c := o.start
	if len(o.tail) > 0 {
		c = o.tail[0]
	}
	e.phaseAt(&e.bt, PhSweep, c)
}

// ovSweep issues blk's keys: inherited positions at their recorded
// cycles, the rest one slot (C cycles) apart, position d (the next block's
// first) no earlier than its rows are loaded and its accumulator bank is
// free.
func (e *Sequencer) ovSweep(p Ports) bool {
	o, t := e.ov, e.T
	k := e.blk.Keys()
	if o.x >= k {
		end := e.last + int64(t.Tail())
		o.sweepEnd[e.blk.Seq%2] = end
		e.MACCycles += int64((k - len(o.tail)) * t.C)
		e.bt.End[PhSweep] = end
		o.stage = ovNorm
		e.phaseAt(&e.bt, PhNorm, max(end, o.outEnd[(e.blk.Seq+1)%2]))
		return true
	}
	sg, off := e.segAt(o.x)
	if sg.Src == SrcStream && o.x >= len(o.tail) {
		c, ok := e.streamKey(p, sg, sg.Lo+off, e.ovSlot(o.x))
		if !ok {
			return false
		}
		e.ovIssue(c)
		return true
	}
	// an on-chip run: up to the segment's end, the end of the inherited
	// positions, or position d, whichever comes first
	end := o.x + sg.Len() - off
	for _, cut := range []int{len(o.tail), o.d} {
		if o.x < cut && cut < end {
			end = cut
		}
	}
	if e.Obs != nil {
		e.Obs.Keys(&e.blk, sg, sg.Lo+off, sg.Lo+off+end-o.x-1)
	}
	for o.x < end {
		e.ovIssue(e.ovSlot(o.x))
	}
	return true
}

// ovSlot is the earliest issue cycle of blk's position x.
func (e *Sequencer) ovSlot(x int) int64 {
	o := e.ov
	if x < len(o.tail) {
		return o.tail[x]
	}
	next := o.start
	if e.last >= 0 {
		next = max(next, e.last+int64(e.T.Period()))
	}
	if x == o.d && o.d < e.blk.Keys() {
		next = max(next, o.qEndNxt, o.outEnd[o.nxt.Seq%2])
	}
	return next
}

// ovIssue records the issue of blk's next position in cycle c.
func (e *Sequencer) ovIssue(c int64) {
	o := e.ov
	if o.x >= o.d {
		o.newTail = append(o.newTail, c)
	}
	e.last = c
	o.x++
}

// segAt is the segment holding sweep position x and x's offset in it.
func (e *Sequencer) segAt(x int) (Segment, int) {
	for _, sg := range e.blk.Segs {
		if x < sg.Len() {
			return sg, x
		}
		x -= sg.Len()
	}
	return Segment{}, 0
}

// ovFinishBlock reports blk and makes the next block the swept one.
func (e *Sequencer) ovFinishBlock() {
	o := e.ov
	e.bt.End[PhOut] = e.cycle
	if e.Obs != nil {
		e.done = e.bt
		e.Obs.BlockDone(&e.done)
	}
	overlapped := o.d < e.blk.Keys()
	o.outEnd[e.blk.Seq%2], o.lastPrev = e.cycle, e.last
	if !o.hasNxt {
		e.phase = PhDone
		return
	}
	e.blk, e.bt = o.nxt, o.btNxt
	o.tail = o.tail[:0]
	if overlapped {
		o.tail = append(o.tail, o.newTail...)
	}
	if !o.loaded {
		e.ovBeginBlock(o.lastPrev + 1)
		return
	}
	o.qEnd = o.qEndNxt
	o.start = max(o.qEnd, o.lastPrev+int64(e.T.Period()), o.outEnd[e.blk.Seq%2])
	e.ovStartSweep()
}
