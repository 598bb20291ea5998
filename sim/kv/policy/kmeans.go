package policy

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// kmeans returns k centroids (flattened, k*dim; fewer when there are
// fewer distinct starting points than k) of the points by Lloyd's
// algorithm: initial centroids are k distinct points drawn by rng, then
// iters rounds of nearest-centroid assignment (ties: the lower index) and
// mean update; an empty cluster keeps its centroid.
func kmeans(pts [][]float64, k, iters int, rng *rand.Rand) []float64 {
	dim := len(pts[0])
	k = min(k, len(pts))
	cent := make([]float64, k*dim)
	for c, i := range rng.Perm(len(pts))[:k] {
		copy(cent[c*dim:(c+1)*dim], pts[i])
	}
	sum := make([]float64, k*dim)
	count := make([]int, k)
	for range iters {
		clear(sum)
		clear(count)
		for _, p := range pts {
			c := nearest(cent, dim, p)
			floats.Add(sum[c*dim:(c+1)*dim], p)
			count[c]++
		}
		for c := range k {
			if count[c] > 0 {
				floats.ScaleTo(cent[c*dim:(c+1)*dim], 1/float64(count[c]), sum[c*dim:(c+1)*dim])
			}
		}
	}
	return cent
}

// nearest is the index of the centroid closest to p in squared Euclidean
// distance (ties: the lower index).
func nearest(cent []float64, dim int, p []float64) int {
	best, bd := 0, math.Inf(1)
	for c := 0; c*dim < len(cent); c++ {
		row := cent[c*dim : (c+1)*dim]
		var d float64
		for i, x := range p {
			d += (x - row[i]) * (x - row[i])
		}
		if d < bd {
			best, bd = c, d
		}
	}
	return best
}
