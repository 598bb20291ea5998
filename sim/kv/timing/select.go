package timing

import (
	"math/bits"

	"github.com/sarchlab/akita/v3/sim"
)

// selectCycles is the selection compute of a step: its scoring MACs, then
// the candidates streamed TopKLanes per cycle through a comparator tree of
// depth ceil(log2(TopKLanes)).
func (c *Controller) selectCycles(s *Step) int64 {
	n := ceilDiv(s.SelectMACs, int64(c.macsPerCycle))
	if s.Candidates > 0 {
		n += ceilDiv(s.Candidates, int64(c.topKLanes)) + int64(bits.Len(uint(c.topKLanes-1)))
	}
	return n
}

// beginSelect starts the selection compute once the pre-selection reads
// are in.
func (c *Controller) beginSelect(now sim.VTimeInSec) {
	c.st.preDone = now
	n := c.selectCycles(&c.step)
	if n == 0 {
		c.beginGather(now)
		return
	}
	c.wakeAt(now+c.cycles(n), wakeSelect)
}
