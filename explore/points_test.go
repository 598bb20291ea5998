package explore

import (
	"reflect"
	"sort"
	"testing"
)

// TestPointsAreTheProduct compares the index decoding with nested loops.
func TestPointsAreTheProduct(t *testing.T) {
	s := mustSpace(t, "fields:\n  arch: [swat, dense]\n  hw.pes: [4, 8, 16]\n  model.window: [16, 32]\nobjectives: {latency_s: min}\n")
	var want [][]string
	for _, a := range []string{"swat", "dense"} {
		for _, p := range []string{"4", "8", "16"} {
			for _, w := range []string{"16", "32"} {
				want = append(want, []string{a, p, w})
			}
		}
	}
	idx := s.Indices()
	if len(idx) != len(want) {
		t.Fatalf("%d points, want %d", len(idx), len(want))
	}
	for i, j := range idx {
		if got := s.Point(j).Values; !reflect.DeepEqual(got, want[i]) {
			t.Errorf("point %d = %v, want %v", i, got, want[i])
		}
	}
	if got := s.Sets(s.Point(5)); !reflect.DeepEqual(got, []string{"arch=swat", "hw.pes=16", "model.window=32"}) {
		t.Errorf("sets %v", got)
	}
}

func TestSample(t *testing.T) {
	for _, c := range []struct {
		size, n int64
		seed    uint64
	}{{10, 3, 1}, {10, 10, 2}, {1000, 999, 3}, {1 << 40, 200, 4}, {7, 1, 5}} {
		a, b := sampleIndices(c.size, c.n, c.seed), sampleIndices(c.size, c.n, c.seed)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("size %d n %d: the same seed gave different samples", c.size, c.n)
		}
		seen := map[int64]bool{}
		for i, x := range a {
			if x < 0 || x >= c.size || seen[x] || (i > 0 && a[i-1] >= x) {
				t.Fatalf("size %d n %d: index %d out of range, repeated or unsorted: %v", c.size, c.n, x, a)
			}
			seen[x] = true
		}
		if int64(len(a)) != c.n {
			t.Errorf("size %d: %d indices, want %d", c.size, len(a), c.n)
		}
	}
	if reflect.DeepEqual(sampleIndices(1000, 10, 1), sampleIndices(1000, 10, 2)) {
		t.Errorf("seeds 1 and 2 gave the same sample")
	}
	// Every index is about equally likely: 20000 draws of 5 of 10.
	count := make([]int, 10)
	for seed := uint64(0); seed < 20000; seed++ {
		for _, x := range sampleIndices(10, 5, seed) {
			count[x]++
		}
	}
	for i, c := range count {
		if c < 9500 || c > 10500 { // expectation 10000, sd ~71
			t.Errorf("index %d drawn %d times of 100000, want about 10000", i, c)
		}
	}
}

func TestShardsPartitionTheSpace(t *testing.T) {
	idx := sampleIndices(1000, 37, 9)
	for _, k := range []int{1, 2, 4, 5, 37, 40} {
		var all []int64
		for i := 0; i < k; i++ {
			all = append(all, Shard(idx, i, k)...)
		}
		sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
		if !reflect.DeepEqual(all, idx) {
			t.Errorf("k = %d: shards do not partition the points", k)
		}
	}
}
