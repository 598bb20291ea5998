package explore

import (
	"math/rand/v2"
	"sort"
)

// Point is one design point of the space: its index in the product (the
// first field varies slowest) and one value per field.
type Point struct {
	Index  int64
	Values []string
}

// Sets are the point's design overrides, in --set form (field=value).
func (s *Space) Sets(p Point) []string {
	sets := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		sets[i] = f.Name + "=" + p.Values[i]
	}
	return sets
}

// Indices lists the product indices the space explores, ascending: all of
// them, or the seeded sample.
func (s *Space) Indices() []int64 {
	size := s.Size()
	if s.Sample == nil || s.Sample.N >= size {
		out := make([]int64, size)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	return sampleIndices(size, s.Sample.N, s.Sample.Seed)
}

// sampleIndices draws n distinct indices in [0, size) with Floyd's
// algorithm (no list of size entries is built) from a PCG seeded by seed.
func sampleIndices(size, n int64, seed uint64) []int64 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	chosen := make(map[int64]bool, n)
	out := make([]int64, 0, n)
	for j := size - n; j < size; j++ {
		t := rng.Int64N(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
		out = append(out, t)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// Point decodes a product index into field values (mixed radix, the last
// field fastest).
func (s *Space) Point(index int64) Point {
	p := Point{Index: index, Values: make([]string, len(s.Fields))}
	for i := len(s.Fields) - 1; i >= 0; i-- {
		n := int64(len(s.Fields[i].Values))
		p.Values[i] = s.Fields[i].Values[index%n]
		index /= n
	}
	return p
}

// Shard keeps the indices of shard i of k (every k-th, starting at i), so
// that the shards of a space are disjoint, cover it, and share its costly
// regions evenly.
func Shard(indices []int64, i, k int) []int64 {
	var out []int64
	for j := i; j < len(indices); j += k {
		out = append(out, indices[j])
	}
	return out
}
