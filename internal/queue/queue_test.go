package queue

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueMatchesSlice pushes and drops at random and compares the queue
// with a plain slice doing the same.
func TestQueueMatchesSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q Queue[int]
	var want []int
	next := 0
	for step := 0; step < 20000; step++ {
		if r.IntN(3) > 0 {
			q.Push(next)
			want = append(want, next)
			next++
		} else if n := r.IntN(len(want) + 1); n > 0 {
			q.Drop(n)
			want = want[n:]
		}
		if q.Len() != len(want) {
			t.Fatalf("step %d: Len %d, want %d", step, q.Len(), len(want))
		}
		got := make([]int, q.Len())
		for i := range got {
			got[i] = *q.At(i)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: %v, want %v", step, got, want)
		}
	}
}

// TestQueueStopsAllocating: a queue of bounded length reuses its storage.
func TestQueueStopsAllocating(t *testing.T) {
	var q Queue[[4]int64]
	for i := 0; i < 64; i++ {
		q.Push([4]int64{})
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := 0; i < 16; i++ {
			q.Push([4]int64{int64(i)})
		}
		q.Drop(16)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per round, want 0", allocs)
	}
}
