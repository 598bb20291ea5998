package dataflow

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// shapes is a table of design points covering causal and bidirectional
// windows, global tokens, sinks, ragged last blocks and both archs.
var shapes = []struct {
	n, w, p int
	causal  bool
	g, s    int
	dense   bool
}{
	{64, 8, 4, true, 0, 0, false},
	{100, 16, 8, true, 0, 0, false},
	{97, 10, 5, false, 0, 0, false},
	{256, 32, 16, false, 2, 0, false},
	{128, 12, 4, true, 0, 4, false},
	{130, 6, 8, false, 3, 7, false},
	{90, 20, 6, true, 5, 9, false},
	{50, 0, 4, false, 0, 3, false},
	{70, 200, 4, true, 0, 0, false},
	{64, 8, 4, true, 0, 0, true},
	{77, 9, 5, false, 2, 3, true},
}

func (s *Schedule) keysOf(blk *Block) []int {
	var ks []int
	for _, sg := range blk.Segs {
		for k := sg.Lo; k <= sg.Hi; k++ {
			ks = append(ks, k)
		}
	}
	return ks
}

// TestSweepCoversExactlyTheNeededKeys checks, against a brute-force union
// of reference.Mask.Keys, that a SWAT block sweeps exactly the keys its
// rows attend to, in ascending order, and a dense block sweeps every key
// up to its last row (causal) or all keys.
func TestSweepCoversExactlyTheNeededKeys(t *testing.T) {
	for _, c := range shapes {
		m := reference.Mask{N: c.n, Window: c.w, Causal: c.causal, Global: c.g, Sinks: c.s}
		s := newSchedule(m, c.p, c.dense)
		for b := 0; b < s.Blocks(); b++ {
			blk := s.Block(0, b)
			got := s.keysOf(&blk)
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("%+v block %d: sweep not strictly ascending: %v", c, b, got)
			}
			want := map[int]bool{}
			for i := blk.R0; i <= blk.R1; i++ {
				for _, j := range m.Keys(i, nil) {
					want[j] = true
				}
			}
			if c.dense && !blk.Global {
				for j := 0; j < c.n && (!c.causal || j <= blk.R1); j++ {
					want[j] = true
				}
			}
			if len(want) != len(got) {
				t.Fatalf("%+v block %d [%d,%d]: sweeps %d keys, rows need %d", c, b, blk.R0, blk.R1, len(got), len(want))
			}
			for _, k := range got {
				if !want[k] {
					t.Fatalf("%+v block %d: sweeps key %d no row needs", c, b, k)
				}
			}
		}
	}
}

// TestRingHoldsEveryKeyItIsAskedFor replays the K/V stream into a ring of
// the required depth (tagging slots with their key) and checks every ring
// read finds its key; and that every windowed key crosses the stream once.
func TestRingHoldsEveryKeyItIsAskedFor(t *testing.T) {
	for _, c := range shapes {
		if c.dense {
			continue
		}
		d := &Design{Arch: ArchSWAT, Model: Model{SeqLen: c.n, Window: c.w, Causal: c.causal, GlobalTokens: c.g, Sinks: c.s}, HW: Hardware{PEs: c.p}}
		s := NewSchedule(d)
		depth := max(1, d.Requirements().KVBufRows)
		ring := make([]int, depth)
		for i := range ring {
			ring[i] = -1
		}
		pinned := map[int]bool{}
		seen := map[int]int{}
		for b := 0; b < s.Blocks(); b++ {
			blk := s.Block(0, b)
			for k := 0; k < blk.Preload; k++ {
				pinned[k] = true
			}
			for _, sg := range blk.Segs {
				for k := sg.Lo; k <= sg.Hi; k++ {
					switch sg.Src {
					case SrcPinned:
						if !pinned[k] {
							t.Fatalf("%+v block %d: key %d read from the pinned buffer before it was loaded", c, b, k)
						}
					case SrcRing:
						if ring[k%depth] != k {
							t.Fatalf("%+v block %d: ring slot %d holds key %d, want %d (depth %d)", c, b, k%depth, ring[k%depth], k, depth)
						}
					case SrcStream:
						if !blk.Global {
							ring[k%depth] = k
							seen[k]++
						}
					}
				}
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("%+v: window key %d streamed %d times, want once", c, k, n)
			}
		}
	}
}

// TestSequencerMatchesClosedForm checks the sequencer with ideal ports against
// the closed form of SCHEDULE.md written out independently here: for
// every block, preload + rows (load) + (K-1)*S + C + Ls + S (sweep, with
// the slot S = max(C, La)) + Lr + C + Ln - 1 (norm) + rows (out).
func TestSequencerMatchesClosedForm(t *testing.T) {
	for i, c := range shapes {
		for _, tm := range []Timing{{C: 1, Ls: 2, La: 1, Ln: 1, Lr: 26}, {C: 4, Ls: 3, La: 2, Ln: 3, Lr: 18}, {C: 8, Ls: 5, La: 1, Ln: 2, Lr: 14}, {C: 1, Ls: 2, La: 3, Ln: 1, Lr: 9}, {C: 2, Ls: 4, La: 2, Ln: 3, Lr: 15}} {
			m := reference.Mask{N: c.n, Window: c.w, Causal: c.causal, Global: c.g, Sinks: c.s}
			s := newSchedule(m, c.p, c.dense)
			heads := 1 + i%3
			var want int64
			for b := 0; b < s.Blocks(); b++ {
				blk := s.Block(0, b)
				rows, keys := int64(blk.R1-blk.R0+1), int64(0)
				for _, sg := range blk.Segs {
					keys += int64(sg.Hi - sg.Lo + 1)
				}
				slot := int64(tm.C)
				if tm.La > tm.C {
					slot = int64(tm.La)
				}
				want += int64(blk.Preload) + rows + (keys-1)*slot + int64(tm.C+tm.Ls) + slot + int64(tm.Lr+tm.C+tm.Ln-1) + rows
			}
			want *= int64(heads)
			s.Heads, s.KVHeads = heads, heads
			e := NewSequencer(s, tm, 0)
			e.Run(IdealPorts{}, -1)
			if !e.Done() || e.Cycle() != want || IdealCycles(s, tm) != want {
				t.Errorf("%+v %+v: sequencer %d (done %v), IdealCycles %d, hand formula %d", c, tm, e.Cycle(), e.Done(), IdealCycles(s, tm), want)
			}
		}
	}
}

// TestInteriorCausalBlockCost checks the SWAT steady state by hand: an
// interior causal block of P rows sweeps W+P-1 keys, P of them new.
func TestInteriorCausalBlockCost(t *testing.T) {
	for _, c := range []struct{ n, w, p int }{{4096, 512, 16}, {2048, 128, 8}, {1000, 100, 10}} {
		m := reference.Mask{N: c.n, Window: c.w, Causal: true}
		s := newSchedule(m, c.p, false)
		blk := s.Block(0, s.Blocks()/2)
		if blk.Keys() != c.w+c.p-1 || blk.Streamed() != c.p || blk.Rows() != c.p {
			t.Errorf("%+v: interior block sweeps %d keys (want %d), streams %d (want %d)", c, blk.Keys(), c.w+c.p-1, blk.Streamed(), c.p)
		}
	}
}

// TestStallsOnlyDelay checks that a stall pattern never speeds the core
// up, that the delay equals the recorded stall cycles, and that the same
// seed replays the same count.
func TestStallsOnlyDelay(t *testing.T) {
	m := reference.Mask{N: 80, Window: 12, Causal: false, Global: 2, Sinks: 3}
	s := newSchedule(m, 4, false)
	s.Heads, s.KVHeads = 2, 2
	tm := Timing{C: 2, Ls: 3, La: 1, Ln: 1, Lr: 10}
	ideal := IdealCycles(s, tm)
	for _, pct := range []int{0, 10, 30, 60} {
		p := StallPattern{Seed: 7, Percent: pct}
		e1, e2 := NewSequencer(s, tm, 0), NewSequencer(s, tm, 0)
		e1.Run(p, -1)
		e2.Run(p, -1)
		var stall int64
		for _, x := range e1.Stall {
			stall += x
		}
		if e1.Cycle() != e2.Cycle() || e1.Cycle() != ideal+stall || (pct > 0 && stall == 0) {
			t.Errorf("percent %d: cycles %d / %d, ideal %d + stalls %d", pct, e1.Cycle(), e2.Cycle(), ideal, stall)
		}
	}
}

// TestStallPatternRate checks the pattern's open rate is near 1 - percent.
func TestStallPatternRate(t *testing.T) {
	p := StallPattern{Seed: 3, Percent: 25}
	open := 0
	for c := int64(0); c < 100000; c++ {
		if p.Open(PortKValid, c) {
			open++
		}
	}
	if open < 74000 || open > 76000 {
		t.Fatalf("open %d of 100000 cycles at 25%% stalls", open)
	}
}

func TestRandomShapesSequencerConsistent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		m := reference.Mask{N: 1 + r.IntN(120), Window: r.IntN(40), Causal: r.IntN(2) == 0}
		if m.Causal {
			m.Window++
		}
		m.Global, m.Sinks = r.IntN(min(m.N, 5)+1), r.IntN(min(m.N, 6)+1)
		s := newSchedule(m, 1+r.IntN(9), r.IntN(4) == 0)
		name := fmt.Sprintf("%+v P=%d dense=%v", m, s.P, s.Dense)
		e := NewSequencer(s, Timing{C: 1 + r.IntN(4), Ls: 2, La: 1 + r.IntN(3), Ln: 1 + r.IntN(3), Lr: 9}, 0)
		e.Run(IdealPorts{}, -1)
		if e.Cycle() != IdealCycles(s, e.T) {
			t.Fatalf("%s: sequencer %d != closed form %d", name, e.Cycle(), IdealCycles(s, e.T))
		}
		rows := int64(0)
		for b := 0; b < s.Blocks(); b++ {
			blk := s.Block(0, b)
			rows += int64(blk.Rows())
		}
		if rows != int64(m.N) || e.Beats(StreamQ) != int64(m.N) || e.Beats(StreamO) != int64(m.N) {
			t.Fatalf("%s: rows %d, q beats %d, o beats %d, want %d", name, rows, e.Beats(StreamQ), e.Beats(StreamO), m.N)
		}
	}
}

// TestOverlapSteadyStatePeriod checks the overlapped schedule by hand:
// with ideal ports, a causal layer without pinned keys whose window is
// full adds max(W*Per, (P-2)Per + Tail + Norm + P) cycles per extra block
// of P rows (Per = Timing.Period, a slot): each PE sweeps its W keys back
// to back (the next block's first key issues W slots after this block's),
// unless the accumulator bank is not free yet: block b+1 reuses block
// b-1's bank, whose last key issues P-2 slots into block b's sweep and
// which then needs Tail (2C + Ls with La <= C) to finish, Norm (Lr + C +
// Ln - 1) to divide and P cycles to send. The plain schedule adds
// (W+P-2)Per + Tail + Norm + 2P.
func TestOverlapSteadyStatePeriod(t *testing.T) {
	for _, c := range []struct{ w, p int }{{64, 8}, {100, 7}, {512, 64}, {33, 16}} {
		for _, tm := range []Timing{{C: 1, Ls: 3, La: 1, Ln: 1, Lr: 18}, {C: 4, Ls: 2, La: 1, Ln: 1, Lr: 26}, {C: 1, Ls: 4, La: 2, Ln: 3, Lr: 19}, {C: 2, Ls: 3, La: 3, Ln: 2, Lr: 15}} {
			cyc := func(n int, overlap bool) int64 {
				s := newSchedule(reference.Mask{N: n, Window: c.w, Causal: true}, c.p, false)
				s.Overlap = overlap
				e := NewSequencer(s, tm, 0)
				e.Run(IdealPorts{}, -1)
				if !e.Done() || e.Beats(StreamQ) != int64(n) || e.Beats(StreamO) != int64(n) {
					t.Fatalf("%+v n=%d: done %v, q %d o %d beats", c, n, e.Done(), e.Beats(StreamQ), e.Beats(StreamO))
				}
				return e.Cycle()
			}
			n := (c.w/c.p + 4) * c.p
			per, tail, norm := tm.Period(), tm.Tail(), tm.NormCycles()
			want := int64(max(c.w*per, (c.p-2)*per+tail+norm+c.p))
			if d := cyc(n+c.p, true) - cyc(n, true); d != want {
				t.Errorf("%+v %+v: overlapped block adds %d cycles, want %d", c, tm, d, want)
			}
			plain := int64((c.w+c.p-2)*per + tail + norm + 2*c.p)
			if d := cyc(n+c.p, false) - cyc(n, false); d != plain {
				t.Errorf("%+v %+v: plain block adds %d cycles, want %d", c, tm, d, plain)
			}
		}
	}
}
