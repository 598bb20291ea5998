package kv

import (
	"slices"
	"testing"
)

// TestParetoFrontAgainstBruteForce compares the sweep with the definition:
// a point is on the front iff no other point dominates it.
func TestParetoFrontAgainstBruteForce(t *testing.T) {
	cases := [][]Point{
		{{"a", 10, 0.5}, {"b", 20, 0.1}, {"c", 15, 0.6}, {"d", 5, 0.9}, {"e", 30, 0.1}, {"f", 40, 0.05}},
		{{"a", 1, 1}, {"b", 1, 1}, {"c", 2, 0.5}, {"d", 1, 2}},
		{{"a", 3, 0.2}},
	}
	for n, pts := range cases {
		var want []int
		for i, p := range pts {
			dominated := false
			for j, o := range pts {
				if j == i {
					continue
				}
				strictly := o.Bytes < p.Bytes || o.Error < p.Error
				equalEarlier := o.Bytes == p.Bytes && o.Error == p.Error && j < i
				if o.Bytes <= p.Bytes && o.Error <= p.Error && (strictly || equalEarlier) {
					dominated = true
				}
			}
			if !dominated {
				want = append(want, i)
			}
		}
		got := ParetoFront(pts)
		gs := slices.Sorted(slices.Values(got))
		if !slices.Equal(gs, want) {
			t.Errorf("case %d: front %v, brute force %v", n, got, want)
		}
	}
}
