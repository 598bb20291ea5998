// Package freelist keeps handled objects for reuse: the serial platform's
// tick and respond events, millions per run, come from it instead of the
// heap.
package freelist

// List holds objects of type T that their owner is done with. The zero
// value is empty.
type List[T any] struct {
	free []*T
}

// Get returns a kept object, or a new one if none is kept. Its contents
// are whatever they were: the caller overwrites them.
func (l *List[T]) Get() *T {
	n := len(l.free)
	if n == 0 {
		return new(T)
	}
	x := l.free[n-1]
	l.free = l.free[:n-1]
	return x
}

// Put keeps x for a later Get; the caller must not use x afterwards.
func (l *List[T]) Put(x *T) { l.free = append(l.free, x) }
