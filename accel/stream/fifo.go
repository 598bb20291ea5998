package stream

// Beat is one row on a stream: which row it is and, in functional mode,
// its codes.
type Beat struct {
	Head, Row int
	K         []int64 // codes (a K, V, Q or O row), in functional runs
	Arrival   int64   // cycle the beat became visible to the core
	// Pending, if set, holds K (row PendingRow) while a worker computes it.
	Pending    *Pending
	PendingRow int
}

// Codes returns the beat's K (or Q or O) codes, waiting for them if a
// worker is still computing them; nil in timing-only runs.
func (b *Beat) Codes() []int64 {
	if b.Pending != nil {
		return b.Pending.Row(b.PendingRow)
	}
	return b.K
}

// FIFO is a bounded stream buffer. Beats are numbered from 0 in stream
// order; beat n is at index n - base of the window kept in memory.
type FIFO struct {
	Capacity int
	beats    []Beat
	consumed []int64 // consumption cycle of each beat, in order
	base     int64   // number of beats dropped from the front
	pushed   int64
	reserved int64 // beats requested but not yet pushed
	// cursor is consumedBy(cursorNow) - base, where consumedBy goes on
	// (0 at cycle 0 holds for the empty FIFO).
	cursor    int
	cursorNow int64
}

// NewFIFO returns an empty FIFO of the given capacity in beats.
func NewFIFO(capacity int) *FIFO { return &FIFO{Capacity: capacity} }

// Reserve claims room for n beats about to be requested; it returns false
// when the FIFO would exceed its capacity at cycle now.
func (f *FIFO) Reserve(n int, now int64) bool {
	if f.occupancy(now)+int64(n) > int64(f.Capacity) {
		return false
	}
	f.reserved += int64(n)
	return true
}

// Unreserve returns room claimed by Reserve for beats that will not be
// requested after all.
func (f *FIFO) Unreserve(n int) { f.reserved -= int64(n) }

// occupancy counts reserved and pushed beats not consumed by cycle now.
func (f *FIFO) occupancy(now int64) int64 {
	return f.pushed + f.reserved - f.consumedBy(now)
}

// consumedBy counts beats consumed in cycles <= now. The consumption
// cycles are recorded in order, so it counts on from the previous call's
// count when now has not gone back (the loaders ask with the engine's
// time) and searches otherwise.
func (f *FIFO) consumedBy(now int64) int64 {
	if now >= f.cursorNow {
		i := f.cursor
		for i < len(f.consumed) && f.consumed[i] <= now {
			i++
		}
		f.cursor, f.cursorNow = i, now
		return f.base + int64(i)
	}
	n := int64(len(f.consumed))
	lo, hi := int64(0), n
	for lo < hi {
		mid := (lo + hi) / 2
		if f.consumed[mid] <= now {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return f.base + lo
}

// FreeAt is the first recorded cycle after now by which n beats can be
// reserved, or -1 when the consumptions recorded so far do not free them.
func (f *FIFO) FreeAt(now int64, n int) int64 {
	short := f.occupancy(now) + int64(n) - int64(f.Capacity)
	i := f.consumedBy(now) - f.base + short - 1
	if short > 0 && i < int64(len(f.consumed)) {
		return f.consumed[i]
	}
	return -1
}

// Push appends a reserved beat.
func (f *FIFO) Push(b Beat) {
	f.reserved--
	f.beats = append(f.beats, b)
	f.pushed++
}

// Pushed is the number of beats pushed so far.
func (f *FIFO) Pushed() int64 { return f.pushed }

// Get returns beat n if it has been pushed.
func (f *FIFO) Get(n int64) (*Beat, bool) {
	if n >= f.pushed || n < f.base {
		return nil, false
	}
	return &f.beats[n-f.base], true
}

// Consume records that the next unconsumed beat left the FIFO in cycle c.
func (f *FIFO) Consume(c int64) {
	f.consumed = append(f.consumed, c)
}

// Trim forgets beats consumed in cycles <= now once they are many, to
// bound memory; nobody asks about cycles before now afterwards.
func (f *FIFO) Trim(now int64) {
	k := int(f.consumedBy(now) - f.base)
	if k < 64 || k < len(f.consumed)/2 {
		return
	}
	f.consumed = f.consumed[:copy(f.consumed, f.consumed[k:])]
	f.cursor -= k // k <= cursor: Trim's now is the cursor's
	n := copy(f.beats, f.beats[k:])
	clear(f.beats[n:])
	f.beats = f.beats[:n]
	f.base += int64(k)
}
