package timing

import "github.com/sarchlab/akita/v3/sim"

// beginGather issues the gathers of every tier at once.
func (c *Controller) beginGather(now sim.VTimeInSec) {
	c.st.selDone = now
	s := &c.step
	for i := range NumTiers {
		c.st.gatherDone[i] = now
		if c.send(now, i, kindGather, s.Gather[i]) {
			c.st.pendingGather++
		}
	}
	if c.st.pendingGather == 0 {
		c.finishAttention(now)
	}
}

// finishAttention folds the parts in tier order: part i ends at
// max(part i-1's end + its MAC cycles, the arrival of its last byte).
func (c *Controller) finishAttention(now sim.VTimeInSec) {
	s := &c.step
	t := c.st.selDone
	for i := range NumTiers {
		t = max(t+c.cycles(ceilDiv(s.AttnMACs[i], int64(c.macsPerCycle))), c.st.gatherDone[i])
	}
	c.st.attnDone = t
	c.beginMerge(now)
}
