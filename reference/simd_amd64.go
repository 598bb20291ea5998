//go:build amd64 && !purego

package reference

import "golang.org/x/sys/cpu"

// simd says whether Dot and Update may use the AVX2 loops of
// simd_amd64.s; the tests switch it off to run the portable loops too.
var simd = cpu.X86.HasAVX2

// dotAVX2 returns the dot product of q and k (len(k) >= len(q), len(q) a
// multiple of 8, every element a signed 32-bit value).
//
//go:noescape
func dotAVX2(q, k []int64) int64

// addScaledAVX2 sets acc[d] += p*v[d] for d below len(acc) (a multiple of
// 8; len(v) >= len(acc); p and every v[d] signed 32-bit values) and
// returns the OR of every acc[d] + bias (as addScaledGo).
//
//go:noescape
func addScaledAVX2(acc []int64, p int64, v []int64, bias int64) uint64
