package timing

import "github.com/sarchlab/akita/v3/sim"

// startStep issues the step's background writes and pre-selection reads.
func (c *Controller) startStep(now sim.VTimeInSec) {
	s := &c.step
	c.st = stepState{start: now}
	for i := range NumTiers {
		if c.send(now, i, kindBackground, s.Background[i]) {
			c.st.pendingBg++
		}
		if c.send(now, i, kindPreSelect, s.PreSelect[i]) {
			c.st.pendingPre++
		}
	}
	if c.st.pendingPre == 0 {
		c.beginSelect(now)
	}
}
