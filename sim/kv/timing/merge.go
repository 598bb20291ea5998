package timing

import "github.com/sarchlab/akita/v3/sim"

// beginMerge schedules the end of the LSE merge of the parts and of the
// final division.
func (c *Controller) beginMerge(now sim.VTimeInSec) {
	s := &c.step
	n := int64(c.finishCycles)
	if s.Parts > 1 {
		n += int64(s.Parts-1) * int64(c.mergeCycles)
	}
	c.wakeAt(max(c.st.attnDone+c.cycles(n), now), wakeMerge)
}

// mergeDone ends the step unless background writes are still in flight.
func (c *Controller) mergeDone(now sim.VTimeInSec) {
	c.st.merged = true
	if c.st.pendingBg == 0 {
		c.endStep(now)
	}
}

// endStep records the step's phases.
func (c *Controller) endStep(now sim.VTimeInSec) {
	f := float64(c.freq)
	st := c.st
	c.last = Phases{
		Total:     float64(now-st.start) * f,
		PreSelect: float64(st.preDone-st.start) * f,
		Select:    float64(st.selDone-st.preDone) * f,
		Attention: float64(st.attnDone-st.selDone) * f,
		Merge:     float64(now-st.attnDone) * f,
	}
	c.done = true
}
