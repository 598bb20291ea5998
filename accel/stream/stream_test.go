package stream

import (
	"math/rand/v2"
	"testing"
)

// TestFIFOOccupancy checks occupancy, reservation and FreeAt against a
// brute-force count of beats pushed and consumed by each cycle.
func TestFIFOOccupancy(t *testing.T) {
	f := NewFIFO(8)
	if !f.Reserve(8, 0) || f.Reserve(1, 0) {
		t.Fatal("capacity 8: reserving 8 then 1 more must succeed then fail")
	}
	for i := 0; i < 8; i++ {
		f.Push(Beat{Row: i, Arrival: int64(i)})
	}
	for i := 0; i < 8; i++ {
		f.Consume(int64(10 + 2*i)) // beat i leaves in cycle 10+2i
	}
	for _, c := range []struct {
		now  int64
		need int
		ok   bool
		free int64
	}{
		{9, 1, false, 10}, {10, 1, true, -1}, {10, 2, false, 12}, {13, 3, false, 14}, {24, 8, true, -1},
	} {
		if got := f.FreeAt(c.now, c.need); got != c.free {
			t.Errorf("FreeAt(%d, %d) = %d, want %d", c.now, c.need, got, c.free)
		}
		if got := f.occupancy(c.now)+int64(c.need) <= int64(f.Capacity); got != c.ok {
			t.Errorf("room for %d at %d = %v, want %v", c.need, c.now, got, c.ok)
		}
	}
	if b, ok := f.Get(3); !ok || b.Row != 3 {
		t.Errorf("Get(3) = %+v, %v", b, ok)
	}
}

// TestFIFOTrimKeepsAnswers checks that trimming old beats changes no
// answer about cycles at or after the trim point.
func TestFIFOTrimKeepsAnswers(t *testing.T) {
	a, b := NewFIFO(4096), NewFIFO(4096)
	for i := 0; i < 3000; i++ {
		for _, f := range []*FIFO{a, b} {
			f.Reserve(1, int64(i))
			f.Push(Beat{Row: i, Arrival: int64(i)})
			f.Consume(int64(2 * i))
		}
	}
	b.Trim(4000)
	for now := int64(4000); now < 6100; now += 7 {
		if a.occupancy(now) != b.occupancy(now) || a.FreeAt(now, 5) != b.FreeAt(now, 5) {
			t.Fatalf("cycle %d: trimmed FIFO answers differently", now)
		}
	}
	if _, ok := b.Get(2999); !ok {
		t.Fatal("a beat after the trim point was dropped")
	}
}

func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, bits := range []int{6, 8, 12, 16, 20, 24} {
		eb := ElemBytes(bits)
		codes := make([]int64, 33)
		lim := int64(1) << (bits - 1)
		for i := range codes {
			codes[i] = r.Int64N(2*lim) - lim
		}
		buf := make([]byte, len(codes)*eb)
		Encode(buf, codes, eb)
		back := make([]int64, len(codes))
		Decode(back, buf, eb)
		for i := range codes {
			if back[i] != codes[i] {
				t.Fatalf("%d bits: code %d -> %d", bits, codes[i], back[i])
			}
		}
	}
}

func TestLayout(t *testing.T) {
	l := Layout{Base: 1 << 20, SeqLen: 100, RowBytes: 256, ElemBytes: 2, BurstBytes: 1000}
	if l.Addr(2, 3) != 1<<20+(2*100+3)*256 || l.RowsPerBurst() != 3 || l.Dim() != 128 {
		t.Errorf("Addr %d RowsPerBurst %d Dim %d", l.Addr(2, 3), l.RowsPerBurst(), l.Dim())
	}
	if (Layout{RowBytes: 4096, BurstBytes: 64}).RowsPerBurst() != 1 {
		t.Error("a burst smaller than a row must still carry one row")
	}
}

// TestPendingBeatCodes checks that a beat whose codes a worker computes
// waits for them: Codes returns the row Set publishes later, on another
// goroutine; a beat without Pending returns its own K.
func TestPendingBeatCodes(t *testing.T) {
	p := NewPending()
	beats := []Beat{{Pending: p, PendingRow: 1}, {Pending: p, PendingRow: 0}, {K: []int64{7}}}
	go p.Set([][]int64{{1, 2}, {3, 4}})
	want := [][]int64{{3, 4}, {1, 2}, {7}}
	for i, b := range beats {
		got := b.Codes()
		if len(got) != len(want[i]) || got[0] != want[i][0] {
			t.Errorf("beat %d: codes %v, want %v", i, got, want[i])
		}
	}
}

// TestConsumedByMatchesCount checks the FIFO's running count of consumed
// beats against a plain count over every consumption recorded, with the
// queries' cycles mostly going on, sometimes back (never before the last
// Trim's), and Trims between.
func TestConsumedByMatchesCount(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	f := NewFIFO(1 << 30)
	var all []int64
	cyc, now, floor := int64(0), int64(0), int64(0)
	for step := 0; step < 30000; step++ {
		switch r.IntN(4) {
		case 0:
			cyc += int64(r.IntN(3))
			f.Reserve(1, now)
			f.Push(Beat{Row: len(all)})
			f.Consume(cyc)
			all = append(all, cyc)
		case 1:
			now += int64(r.IntN(4))
		case 2:
			if r.IntN(10) == 0 {
				now = floor + int64(r.IntN(int(now-floor)+1))
			}
		default:
			if r.IntN(50) == 0 {
				f.Trim(now)
				floor = now
			}
		}
		want := int64(0)
		for _, c := range all {
			if c <= now {
				want++
			}
		}
		if got := f.consumedBy(now); got != want {
			t.Fatalf("step %d: consumedBy(%d) = %d, want %d", step, now, got, want)
		}
	}
}
