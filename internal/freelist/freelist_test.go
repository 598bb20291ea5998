package freelist

import "testing"

// TestListReuses: Get hands back what Put kept, last first, then new
// objects; a steady Get/Put cycle stops allocating.
func TestListReuses(t *testing.T) {
	var l List[[4]int]
	a, b := l.Get(), l.Get()
	if a == b {
		t.Fatal("two Gets of an empty list returned the same object")
	}
	l.Put(a)
	l.Put(b)
	if l.Get() != b || l.Get() != a {
		t.Error("Get did not return the kept objects, last first")
	}
	l.Put(a)
	if allocs := testing.AllocsPerRun(100, func() { l.Put(l.Get()) }); allocs != 0 {
		t.Errorf("%v allocations per Get/Put", allocs)
	}
}
