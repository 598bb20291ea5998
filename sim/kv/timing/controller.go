package timing

import (
	"fmt"
	"log"
	"reflect"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/sim/kv/memtier"
)

// transfer kinds, encoded in a request's tag with the tier.
const (
	kindBackground = iota
	kindPreSelect
	kindGather
)

// Controller walks the decode steps through their phases, sending
// transfers to the tiers through its Bottom ports.
type Controller struct {
	*sim.TickingComponent

	bottom    [NumTiers]sim.Port
	tierPorts [NumTiers]sim.Port
	channels  [NumTiers]int
	outbox    []*memtier.TransferReq

	freq         sim.Freq
	macsPerCycle int
	topKLanes    int
	mergeCycles  int
	finishCycles int

	step Step
	done bool
	st   stepState
	last Phases
}

// stepState is the progress of the current step.
type stepState struct {
	start, preDone, selDone, attnDone    sim.VTimeInSec
	pendingBg, pendingPre, pendingGather int
	gatherDone                           [NumTiers]sim.VTimeInSec
	merged                               bool
}

// wakeEvent ends a compute phase.
type wakeEvent struct {
	*sim.EventBase
	phase int
}

const (
	wakeSelect = iota
	wakeMerge
)

func (c *Controller) load(s Step) {
	c.step, c.done = s, false
}

func (c *Controller) checkStep(s Step) error {
	for i := range NumTiers {
		for _, b := range [][]int64{s.Background[i], s.PreSelect[i], s.Gather[i]} {
			if len(b) != 0 && len(b) != c.channels[i] {
				return fmt.Errorf("tier %d: %d per-channel byte counts for %d channels", i, len(b), c.channels[i])
			}
		}
	}
	return nil
}

// Tick sends pending requests and takes responses.
func (c *Controller) Tick(now sim.VTimeInSec) bool {
	progress := c.flush()
	for i, p := range c.bottom {
		for msg := p.Retrieve(now); msg != nil; msg = p.Retrieve(now) {
			rsp, ok := msg.(*memtier.TransferRsp)
			if !ok {
				log.Panicf("%s: cannot handle %s on Bottom[%d]", c.Name(), reflect.TypeOf(msg), i)
			}
			c.handleRsp(now, rsp)
			progress = true
		}
	}
	return progress
}

// Handle handles ticks and the ends of compute phases.
func (c *Controller) Handle(e sim.Event) error {
	switch e := e.(type) {
	case *wakeEvent:
		if e.phase == wakeSelect {
			c.beginGather(e.Time())
		} else {
			c.mergeDone(e.Time())
		}
		return nil
	case sim.TickEvent:
		return c.TickingComponent.Handle(e)
	default:
		return fmt.Errorf("%s: cannot handle event %s", c.Name(), reflect.TypeOf(e))
	}
}

// send issues a transfer of kind to tier i unless it moves nothing.
func (c *Controller) send(now sim.VTimeInSec, i, kind int, perChannel []int64) bool {
	if !nonZero(perChannel) {
		return false
	}
	req := memtier.NewTransferReq(c.bottom[i], c.tierPorts[i], now, perChannel, kind*NumTiers+i)
	if err := c.bottom[i].Send(req); err != nil {
		c.outbox = append(c.outbox, req)
		c.TickLater(now)
	}
	return true
}

func (c *Controller) flush() bool {
	progress := false
	for len(c.outbox) > 0 {
		req := c.outbox[0]
		if err := req.Src.Send(req); err != nil {
			return progress
		}
		c.outbox = c.outbox[1:]
		progress = true
	}
	return progress
}

func (c *Controller) handleRsp(now sim.VTimeInSec, rsp *memtier.TransferRsp) {
	kind, tier := rsp.Tag/NumTiers, rsp.Tag%NumTiers
	switch kind {
	case kindBackground:
		c.st.pendingBg--
		if c.st.pendingBg == 0 && c.st.merged {
			c.endStep(now)
		}
	case kindPreSelect:
		c.st.pendingPre--
		if c.st.pendingPre == 0 {
			c.beginSelect(now)
		}
	case kindGather:
		c.st.gatherDone[tier] = rsp.Done
		c.st.pendingGather--
		if c.st.pendingGather == 0 {
			c.finishAttention(now)
		}
	}
}

func (c *Controller) wakeAt(t sim.VTimeInSec, phase int) {
	c.Engine.Schedule(&wakeEvent{EventBase: sim.NewEventBase(t, c), phase: phase})
}

func (c *Controller) cycles(n int64) sim.VTimeInSec {
	return sim.VTimeInSec(float64(n) / float64(c.freq))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
