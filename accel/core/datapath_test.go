package core

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// TestParallelRunsCoverEachPEOnce checks that the runs Norm computes cover
// every PE exactly once, in disjoint runs, for any PE count and number of
// CPUs.
func TestParallelRunsCoverEachPEOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 4, 7} {
		old := runtime.GOMAXPROCS(procs)
		for n := 1; n <= 40; n++ {
			t.Run(fmt.Sprintf("procs=%d/n=%d", procs, n), func(t *testing.T) {
				var mu sync.Mutex
				seen := make([]int, n)
				parallelRuns(n, func(lo, hi int) {
					mu.Lock()
					defer mu.Unlock()
					if lo < 0 || hi > n || lo >= hi {
						t.Errorf("run [%d, %d) outside [0, %d) or empty", lo, hi, n)
						return
					}
					for p := lo; p < hi; p++ {
						seen[p]++
					}
				})
				for p, c := range seen {
					if c != 1 {
						t.Errorf("PE %d folded %d times", p, c)
					}
				}
			})
		}
		runtime.GOMAXPROCS(old)
	}
}
