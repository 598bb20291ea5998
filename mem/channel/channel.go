package channel

import (
	"math"

	"github.com/sarchlab/akita/v3/sim"
)

// Set is a set of channels of equal bandwidth.
type Set struct {
	bytesPerS float64 // per channel; +Inf: transfers take no time
	free      []sim.VTimeInSec
	busy      []sim.VTimeInSec
}

// NewSet returns n idle channels of bytesPerS bytes per second each
// (math.Inf(1): transfers take no time).
func NewSet(n int, bytesPerS float64) *Set {
	return &Set{bytesPerS: bytesPerS, free: make([]sim.VTimeInSec, n), busy: make([]sim.VTimeInSec, n)}
}

// Book queues bytes on channel ch at time now and returns when its last
// byte has moved: max(now, channel free) + bytes / bandwidth.
func (s *Set) Book(now sim.VTimeInSec, ch int, bytes uint64) sim.VTimeInSec {
	start := max(now, s.free[ch])
	d := 0.0
	if !math.IsInf(s.bytesPerS, 1) {
		d = float64(bytes) / s.bytesPerS
	}
	s.free[ch] = start + sim.VTimeInSec(d)
	s.busy[ch] += sim.VTimeInSec(d)
	return s.free[ch]
}

// Len is the number of channels.
func (s *Set) Len() int { return len(s.free) }

// Busy is the time channel ch has spent moving bytes.
func (s *Set) Busy(ch int) sim.VTimeInSec { return s.busy[ch] }
