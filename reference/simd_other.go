//go:build !amd64 || purego

package reference

// simd is false: there are no vector loops on this architecture (or with
// the purego tag), and Dot and Update use the portable ones.
var simd = false

func dotAVX2(q, k []int64) int64 { panic("reference: no AVX2 loops in this build") }

func addScaledAVX2(acc []int64, p int64, v []int64, bias int64) uint64 {
	panic("reference: no AVX2 loops in this build")
}
