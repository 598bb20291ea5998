package kv

import "sort"

// Point is one run on the accuracy-traffic plane.
type Point struct {
	Label string  // policy and budget
	Bytes float64 // bytes per decode step, all tiers
	Error float64 // mean relative L2 error against full attention
}

// Points returns the runs' points: total bytes per step over the tiers and
// the mean relative L2 error.
func Points(rs []*Result) []Point {
	out := make([]Point, 0, len(rs))
	for _, r := range rs {
		var b float64
		for i := range r.Tiers {
			b += r.BytesPerStep(i)
		}
		out = append(out, Point{Label: r.Policy, Bytes: b, Error: r.RelL2Mean()})
	}
	return out
}

// ParetoFront returns the indices of the points no other point dominates
// (another point with bytes <= and error <=, one of them <), by
// increasing bytes; of equal points the first is kept.
func ParetoFront(pts []Point) []int {
	idx := make([]int, len(pts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := pts[idx[a]], pts[idx[b]]
		if pa.Bytes != pb.Bytes {
			return pa.Bytes < pb.Bytes
		}
		return pa.Error < pb.Error
	})
	var front []int
	for _, i := range idx {
		if len(front) == 0 || pts[i].Error < pts[front[len(front)-1]].Error {
			front = append(front, i)
		}
	}
	return front
}
