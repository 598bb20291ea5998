// Package alarm schedules a ticking component's wake-up at a chosen future
// time without piling up duplicate tick events: it keeps the earliest
// pending wake-up and schedules a new one only when it is earlier.
package alarm

import (
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
)

// Alarm is one component's pending wake-up.
type Alarm struct {
	pending sim.VTimeInSec
	set     bool
}

// At makes h (the component that embeds c) tick at time t (>= now)
// unless a wake-up at or before t, and after now, is already pending.
func (a *Alarm) At(c *serial.Component, h sim.Handler, t, now sim.VTimeInSec) {
	if a.set && a.pending > now && a.pending <= t {
		return
	}
	a.pending, a.set = t, true
	c.Schedule(t, h)
}
