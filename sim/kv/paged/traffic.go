package paged

// Traffic is what one transfer moves in one tier: bytes at the memory's
// granularity, split by channel, and the useful bytes (the rows actually
// needed) they contain.
type Traffic struct {
	Bytes      int64   // bytes moved: whole bursts (or blocks)
	Useful     int64   // bytes of the rows asked for
	PerChannel []int64 // Bytes split by channel
}

// NewTraffic returns empty traffic for a memory of channels channels.
func NewTraffic(channels int) Traffic { return Traffic{PerChannel: make([]int64, channels)} }

// Reset empties the traffic, keeping its channel count.
func (tr *Traffic) Reset() {
	tr.Bytes, tr.Useful = 0, 0
	clear(tr.PerChannel)
}

// Add accumulates o into tr (same channel count).
func (tr *Traffic) Add(o Traffic) {
	tr.Bytes += o.Bytes
	tr.Useful += o.Useful
	for c, b := range o.PerChannel {
		tr.PerChannel[c] += b
	}
}

// AddFlat adds n bytes moved exactly (no burst rounding) on channel 0: the
// on-chip buffer's accounting.
func (tr *Traffic) AddFlat(n int64) {
	tr.Bytes += n
	tr.Useful += n
	tr.PerChannel[0] += n
}

// AddSpread adds n bytes moved exactly (no burst rounding) and spread
// evenly over the channels, the first n mod channels channels taking one
// byte more: packed rows of a compressed cache, streamed contiguously.
func (tr *Traffic) AddSpread(n int64) {
	if n <= 0 {
		return
	}
	tr.Bytes += n
	tr.Useful += n
	ch := int64(len(tr.PerChannel))
	for c := range tr.PerChannel {
		tr.PerChannel[c] += n / ch
		if int64(c) < n%ch {
			tr.PerChannel[c]++
		}
	}
}

// AddRows adds the accesses to the rows of tokens (ascending) of one head
// and kind: every burst touched is moved whole, once per call. A gather
// (read) on a geometry with WholeBlocks moves every burst of each touched
// block; writes always move bursts.
func (tr *Traffic) AddRows(t *Table, h int, kind Kind, tokens []int, gather bool) {
	g := t.g
	bb := int64(g.BurstBytes)
	blk := g.BlockBytes() / bb // bursts per block (Validate: a whole number)
	last := int64(-1)          // last burst counted; rows of one block are consecutive
	for _, j := range tokens {
		a := t.Addr(h, kind, j)
		tr.Useful += int64(g.RowBytes)
		lo, hi := a/bb, (a+int64(g.RowBytes)-1)/bb
		if gather && g.WholeBlocks {
			lo = lo / blk * blk
			hi = lo + blk - 1
		}
		if last/blk != lo/blk || last < 0 {
			last = lo - 1 // a new block: nothing of it counted yet
		}
		for b := max(lo, last+1); b <= hi; b++ {
			tr.addBurst(g, b*bb)
		}
		last = max(last, hi)
	}
}

// AddRange adds an access to the contiguous bytes [addr, addr+n) at burst
// granularity (metadata arrays).
func (tr *Traffic) AddRange(g Geometry, addr, n int64) {
	if n <= 0 {
		return
	}
	bb := int64(g.BurstBytes)
	tr.Useful += n
	for b := addr / bb; b <= (addr+n-1)/bb; b++ {
		tr.addBurst(g, b*bb)
	}
}

func (tr *Traffic) addBurst(g Geometry, addr int64) {
	tr.Bytes += int64(g.BurstBytes)
	tr.PerChannel[g.Channel(addr)] += int64(g.BurstBytes)
}
