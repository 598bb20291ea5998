package stream

// Pending is a block of rows that a worker goroutine is still computing.
// Row waits until Set has published them.
type Pending struct {
	done chan struct{}
	rows [][]int64
}

// NewPending returns rows that are not computed yet.
func NewPending() *Pending { return &Pending{done: make(chan struct{})} }

// Set publishes the rows; it must be called exactly once.
func (p *Pending) Set(rows [][]int64) {
	p.rows = rows
	close(p.done)
}

// Row waits for the rows and returns row i.
func (p *Pending) Row(i int) []int64 {
	<-p.done
	return p.rows[i]
}
