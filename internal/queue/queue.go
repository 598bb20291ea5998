package queue

// Queue holds items in the order pushed. The zero value is empty.
type Queue[T any] struct {
	items []T
	head  int
}

// Len is the number of items queued.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Push appends an item.
func (q *Queue[T]) Push(x T) { q.items = append(q.items, x) }

// At returns a pointer to item i (0 is the front).
func (q *Queue[T]) At(i int) *T { return &q.items[q.head+i] }

// Drop takes n items off the front (n <= Len).
func (q *Queue[T]) Drop(n int) {
	var zero T
	for i := q.head; i < q.head+n; i++ {
		q.items[i] = zero // let go of what the items point to
	}
	q.head += n
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= len(q.items)-q.head:
		k := copy(q.items, q.items[q.head:])
		clear(q.items[k:])
		q.items, q.head = q.items[:k], 0
	}
}
