package loader

// Range is a run of consecutive rows [Lo, Hi] of one head.
type Range struct {
	Head, Lo, Hi int
}

// Plan yields the row ranges of a stream in order.
type Plan interface {
	// Next returns the next range, or ok = false at the end.
	Next() (r Range, ok bool)
}

// SlicePlan is a Plan over a fixed list of ranges.
type SlicePlan struct {
	Ranges []Range
	i      int
}

// Next implements Plan.
func (p *SlicePlan) Next() (Range, bool) {
	if p.i >= len(p.Ranges) {
		return Range{}, false
	}
	p.i++
	return p.Ranges[p.i-1], true
}

// GenPlan pulls ranges from a generator called with a block index.
type GenPlan struct {
	// Gen appends the ranges of step i to buf; ok = false past the end.
	Gen  func(i int, buf []Range) ([]Range, bool)
	i    int
	buf  []Range
	next int
}

// Next implements Plan.
func (p *GenPlan) Next() (Range, bool) {
	for p.next >= len(p.buf) {
		var ok bool
		p.buf, ok = p.Gen(p.i, p.buf[:0])
		p.i++
		p.next = 0
		if !ok {
			return Range{}, false
		}
	}
	p.next++
	return p.buf[p.next-1], true
}

// CoalescePlan joins consecutive ranges of another plan that continue one
// another (same head, Lo = previous Hi + 1) into one range, so that a
// loader's bursts may span them.
type CoalescePlan struct {
	In      Plan
	next    Range
	hasNext bool
	started bool
}

// Next implements Plan.
func (p *CoalescePlan) Next() (Range, bool) {
	if !p.started {
		p.next, p.hasNext = p.In.Next()
		p.started = true
	}
	if !p.hasNext {
		return Range{}, false
	}
	cur := p.next
	for {
		p.next, p.hasNext = p.In.Next()
		if !p.hasNext || p.next.Head != cur.Head || p.next.Lo != cur.Hi+1 {
			return cur, true
		}
		cur.Hi = p.next.Hi
	}
}
