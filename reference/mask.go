package reference

import "fmt"

// Mask says which keys each query row attends to, exactly as in the golden
// manifest: allowed(i,j) = window(i,j) or i < Global or j < Global or
// sink(i,j), where window(i,j) is (j <= i and i-j < Window) when Causal and
// |i-j| <= Window/2 otherwise, and sink(i,j) is j < Sinks (and j <= i when
// Causal). Dense drops the window term's limit: every key (causal: every
// key j <= i) is allowed.
type Mask struct {
	N      int  // sequence length
	Window int  // window size W
	Causal bool // causal (j <= i) or bidirectional window
	Global int  // G global tokens: rows and columns 0..G-1 attend everywhere
	Sinks  int  // S sink tokens: columns 0..S-1 are always attended
	Dense  bool // no window limit
}

// Validate checks the mask's fields and names the first one out of range.
func (m Mask) Validate() error {
	switch {
	case m.N < 1:
		return fmt.Errorf("seq_len = %d: must be >= 1", m.N)
	case m.Window < 0:
		return fmt.Errorf("window = %d: must be >= 0", m.Window)
	case m.Causal && m.Window < 1 && !m.Dense:
		return fmt.Errorf("window = %d: a causal window must be >= 1", m.Window)
	case m.Global < 0 || m.Global > m.N:
		return fmt.Errorf("global_tokens = %d: must be in [0, %d]", m.Global, m.N)
	case m.Sinks < 0 || m.Sinks > m.N:
		return fmt.Errorf("sinks = %d: must be in [0, %d]", m.Sinks, m.N)
	}
	return nil
}

// Pinned is the number of leading keys that some row may attend to outside
// its window: max(Global, Sinks).
func (m Mask) Pinned() int { return max(m.Global, m.Sinks) }

// WindowRange is the contiguous range [lo, hi] of keys row i reaches
// through its window (lo > hi when empty).
func (m Mask) WindowRange(i int) (lo, hi int) {
	switch {
	case m.Dense && m.Causal:
		return 0, i
	case m.Dense:
		return 0, m.N - 1
	case m.Causal:
		return max(0, i-m.Window+1), i
	default:
		h := m.Window / 2
		return max(0, i-h), min(m.N-1, i+h)
	}
}

// Allowed reports whether row i attends to key j.
func (m Mask) Allowed(i, j int) bool {
	if i < m.Global || j < m.Global {
		return true
	}
	if j < m.Sinks && (!m.Causal || j <= i) {
		return true
	}
	lo, hi := m.WindowRange(i)
	return j >= lo && j <= hi
}

// Keys appends the keys of row i to buf in ascending order: the order in
// which every datapath folds them into the row's softmax.
func (m Mask) Keys(i int, buf []int) []int {
	r := m.Row(i)
	buf = buf[:0]
	for j := 0; j < min(r.Pinned, r.Lo); j++ {
		buf = append(buf, j)
	}
	for j := r.Lo; j <= r.Hi; j++ {
		buf = append(buf, j)
	}
	for j := r.Hi + 1; j < r.Pinned; j++ {
		buf = append(buf, j)
	}
	return buf
}

// Count is the number of keys row i attends to.
func (m Mask) Count(i int) int {
	r := m.Row(i)
	return r.Hi - r.Lo + 1 + min(r.Pinned, r.Lo) + max(0, r.Pinned-r.Hi-1)
}

// RowMask is the mask of one query row as two ranges, for loops that test
// many keys of the same row: key j is allowed iff j < Pinned or
// Lo <= j <= Hi (Mask.Row builds it; it agrees with Allowed).
type RowMask struct {
	Pinned int // keys below it are global or sinks of this row
	Lo, Hi int // the row's window (every key for a global row)
}

// Row returns the mask of row i.
func (m Mask) Row(i int) RowMask {
	if i < m.Global {
		return RowMask{Lo: 0, Hi: m.N - 1}
	}
	sinks := m.Sinks
	if m.Causal {
		sinks = min(sinks, i+1)
	}
	lo, hi := m.WindowRange(i)
	return RowMask{Pinned: max(m.Global, sinks), Lo: lo, Hi: hi}
}

// Allows reports whether the row attends to key j.
func (r RowMask) Allows(j int) bool { return j < r.Pinned || (j >= r.Lo && j <= r.Hi) }
