package paged

import (
	"strings"
	"testing"
)

func geom() Geometry {
	return Geometry{RowBytes: 128, BlockTokens: 4, BurstBytes: 256, InterleaveBytes: 256, Channels: 2}
}

func TestTableAllocatesLowestFreeBlockAndFrees(t *testing.T) {
	tb := NewTable(geom(), 1, 32)
	for _, j := range []int{0, 1, 4, 8} { // logical blocks 0, 1, 2 -> physical 0, 1, 2
		tb.Insert(0, K, j)
	}
	if got := tb.Addr(0, K, 8); got != 2*512 {
		t.Fatalf("token 8: addr %d, want 1024 (block 2, slot 0)", got)
	}
	tb.Remove(0, K, 4) // block 1 empties
	if tb.Blocks() != 2 || tb.PeakBlocks() != 3 {
		t.Fatalf("blocks %d peak %d, want 2 and 3", tb.Blocks(), tb.PeakBlocks())
	}
	tb.Insert(0, V, 13) // reuses physical block 1: slot 1 -> 512 + 128
	if got := tb.Addr(0, V, 13); got != 640 {
		t.Fatalf("token 13 (V): addr %d, want 640", got)
	}
}

func TestTrafficCountsWholeBursts(t *testing.T) {
	// Rows are 128 B, bursts 256 B, blocks 4 rows = 512 B = 2 bursts,
	// channels alternate every 256 B. Tokens 0..7 fill physical blocks 0
	// and 1 (addresses 0..1023).
	cases := []struct {
		name     string
		tokens   []int
		whole    bool
		bytes    int64
		useful   int64
		channels []int64
	}{
		// Hand count: rows 0 and 1 share burst 0 (ch 0): 256 B.
		{"two rows one burst", []int{0, 1}, false, 256, 256, []int64{256, 0}},
		// Rows 0, 2, 5: bursts 0 (ch0), 1 (ch1), 2 (ch0) = 768 B for 384 useful.
		{"scattered", []int{0, 2, 5}, false, 768, 384, []int64{512, 256}},
		// Row 3 alone still costs its burst 1 (ch1).
		{"one row", []int{3}, false, 256, 128, []int64{0, 256}},
		// Whole-block fetch: row 5 pulls block 1 = bursts 2 and 3.
		{"block mode", []int{5}, true, 512, 128, []int64{256, 256}},
		// All 8 rows: 4 bursts, no waste.
		{"all", []int{0, 1, 2, 3, 4, 5, 6, 7}, false, 1024, 1024, []int64{512, 512}},
	}
	for _, tc := range cases {
		g := geom()
		g.WholeBlocks = tc.whole
		tb := NewTable(g, 1, 8)
		for j := 0; j < 8; j++ {
			tb.Insert(0, K, j)
		}
		tr := NewTraffic(2)
		tr.AddRows(tb, 0, K, tc.tokens, true)
		if tr.Bytes != tc.bytes || tr.Useful != tc.useful || tr.PerChannel[0] != tc.channels[0] || tr.PerChannel[1] != tc.channels[1] {
			t.Errorf("%s: bytes %d useful %d per channel %v; want %d %d %v", tc.name, tr.Bytes, tr.Useful, tr.PerChannel, tc.bytes, tc.useful, tc.channels)
		}
	}
}

func TestTrafficDedupFollowsPhysicalBlocks(t *testing.T) {
	// Logical block 1 gets physical block 0 and logical block 0 gets
	// physical block 1: ascending tokens visit block 1 then block 0.
	g := geom()
	tb := NewTable(g, 1, 8)
	tb.Insert(0, K, 4) // logical 1 -> physical 0
	tb.Insert(0, K, 0) // logical 0 -> physical 1
	tr := NewTraffic(2)
	tr.AddRows(tb, 0, K, []int{0, 4}, true)
	if tr.Bytes != 512 {
		t.Fatalf("bytes %d, want 512 (one burst in each block)", tr.Bytes)
	}
	// A write never moves whole blocks.
	g.WholeBlocks = true
	tb = NewTable(g, 1, 8)
	tb.Insert(0, K, 5)
	w := NewTraffic(2)
	w.AddRows(tb, 0, K, []int{5}, false)
	if w.Bytes != 256 {
		t.Fatalf("write in block mode: %d bytes, want one burst (256)", w.Bytes)
	}
}

func TestTrafficRange(t *testing.T) {
	g := geom()
	tr := NewTraffic(2)
	tr.AddRange(g, 200, 100) // bytes 200..299: bursts 0 and 1
	if tr.Bytes != 512 || tr.Useful != 100 {
		t.Fatalf("range: bytes %d useful %d", tr.Bytes, tr.Useful)
	}
}

func TestGeometryValidate(t *testing.T) {
	bad := []struct {
		mut  func(*Geometry)
		want string
	}{
		{func(g *Geometry) { g.BurstBytes = 0 }, "burst_bytes"},
		{func(g *Geometry) { g.Channels = 0 }, "channels"},
		{func(g *Geometry) { g.InterleaveBytes = 300 }, "interleave_bytes"},
		{func(g *Geometry) { g.BlockTokens = 3 }, "not a multiple of burst_bytes"},
		{func(g *Geometry) { g.BlockTokens = 0 }, "block_tokens"},
	}
	for _, b := range bad {
		g := geom()
		b.mut(&g)
		err := g.Validate("hbm")
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", g, err, b.want)
		}
	}
	if err := geom().Validate("hbm"); err != nil {
		t.Fatal(err)
	}
}

func TestChannelHash(t *testing.T) {
	g := Geometry{RowBytes: 128, BlockTokens: 16, BurstBytes: 64, InterleaveBytes: 256, Channels: 4}
	h := g
	h.ChannelHash = true
	// Units 0..3 -> channels 0..3 either way; unit 4 (digits 1,0) -> 1 with
	// the hash, 0 without; unit 5 (1,1) -> 2; unit 16 (1,0,0) -> 1.
	for _, c := range []struct {
		unit        int64
		plain, hash int
	}{{0, 0, 0}, {3, 3, 3}, {4, 0, 1}, {5, 1, 2}, {7, 3, 0}, {16, 0, 1}, {21, 1, 3}} {
		if p, x := g.Channel(c.unit*256), h.Channel(c.unit*256); p != c.plain || x != c.hash {
			t.Errorf("unit %d: channels %d (plain) %d (hash), want %d %d", c.unit, p, x, c.plain, c.hash)
		}
	}
	// Any 4 consecutive units still cover all 4 channels.
	for u := int64(0); u < 200; u++ {
		seen := map[int]bool{}
		for k := range int64(4) {
			seen[h.Channel((u+k)*256)] = true
		}
		if len(seen) != 4 && u%4 == 0 {
			t.Fatalf("units %d..%d hit channels %v", u, u+3, seen)
		}
	}
}
