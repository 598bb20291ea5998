package dataflow

import (
	"slices"
	"testing"
)

// TestOrderStreamsMatchOneCore: with one core and kv_heads = heads, the
// per-core stream contents are Schedule.KVOrder head after head and the q
// rows 0..N-1 of every head.
func TestOrderStreamsMatchOneCore(t *testing.T) {
	d, err := Load("", []string{"model.seq_len=45", "model.window=7", "model.sinks=2", "model.global_tokens=1",
		"model.heads=3", "hw.pes=4"})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSchedule(d)
	var want, got [][2]int
	for h := 0; h < s.Heads; h++ {
		s.KVOrder(h, func(_ *Block, key int) { want = append(want, [2]int{h, key}) })
	}
	o := s.CoreOrder(0)
	o.KVRows(func(h, key int) { got = append(got, [2]int{h, key}) })
	if !slices.Equal(got, want) {
		t.Fatalf("KVRows gives %d beats, KVOrder %d, or another order", len(got), len(want))
	}
	var rows [][2]int
	o.QRows(func(h, r int) { rows = append(rows, [2]int{h, r}) })
	for i, hr := range rows {
		if hr != [2]int{i / 45, i % 45} {
			t.Fatalf("q beat %d is head %d row %d", i, hr[0], hr[1])
		}
	}
}

// TestOrderStreamsGQA: with GQA on several cores every query row is on
// exactly one core's q stream, and each core streams each K/V row of its
// units' group once per unit in a windowed layer without global tokens.
func TestOrderStreamsGQA(t *testing.T) {
	d, err := Load("", []string{"model.seq_len=40", "model.window=8", "model.sinks=1", "model.heads=6",
		"model.kv_heads=3", "hw.cores=2", "hw.pes=4"})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSchedule(d)
	seen := map[[2]int]int{}
	for c := 0; c < s.Cores; c++ {
		o := s.CoreOrder(c)
		o.QRows(func(h, r int) { seen[[2]int{h, r}]++ })
		kv := map[[2]int]int{}
		o.KVRows(func(h, key int) { kv[[2]int{h, key}]++ })
		for _, u := range o.Units() {
			for key := 0; key < 40; key++ {
				if n := kv[[2]int{u.KVHead, key}]; n != 1 {
					t.Errorf("core %d: K/V row %d of head %d streamed %d times, want once", c, key, u.KVHead, n)
				}
			}
		}
	}
	if len(seen) != 6*40 {
		t.Fatalf("%d distinct q rows, want %d", len(seen), 6*40)
	}
	for hr, n := range seen {
		if n != 1 {
			t.Errorf("q row %v on %d cores' streams", hr, n)
		}
	}
}
