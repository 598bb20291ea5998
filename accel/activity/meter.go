// Package activity measures how long a component has work in flight: the
// time during which at least one of its requests is outstanding. It costs
// a counter per request, so the platform meters every unit on every run.
package activity

import "github.com/sarchlab/akita/v3/sim"

// Meter accumulates the time at least one request is in flight.
type Meter struct {
	n     int
	since sim.VTimeInSec
	busy  sim.VTimeInSec
}

// Start records a request that began at now.
func (m *Meter) Start(now sim.VTimeInSec) {
	if m.n == 0 {
		m.since = now
	}
	m.n++
}

// End records a request that finished at now.
func (m *Meter) End(now sim.VTimeInSec) {
	m.n--
	if m.n == 0 {
		m.busy += now - m.since
	}
}

// Busy is the busy time up to now.
func (m *Meter) Busy(now sim.VTimeInSec) sim.VTimeInSec {
	if m.n > 0 {
		return m.busy + now - m.since
	}
	return m.busy
}
