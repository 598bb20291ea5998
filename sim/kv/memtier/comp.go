package memtier

import (
	"fmt"
	"log"
	"reflect"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/mem/channel"
)

// Comp is a memory tier: channels of equal bandwidth behind a latency.
type Comp struct {
	*sim.TickingComponent

	topPort  sim.Port
	latency  sim.VTimeInSec
	channels *channel.Set

	// Bytes is the total number of bytes moved.
	Bytes int64
	// Transfers is the number of transfers served.
	Transfers int
}

// respondEvent fires when a transfer's last byte has arrived.
type respondEvent struct {
	*sim.EventBase
	req   *TransferReq
	done  sim.VTimeInSec
	bytes int64
}

// Tick accepts every waiting request.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	progress := false
	for {
		msg := c.topPort.Retrieve(now)
		if msg == nil {
			return progress
		}
		req, ok := msg.(*TransferReq)
		if !ok {
			log.Panicf("memtier %s: cannot handle %s", c.Name(), reflect.TypeOf(msg))
		}
		c.accept(now, req)
		progress = true
	}
}

// accept queues the request's bytes on its channels and schedules the
// response for when the last byte arrives.
func (c *Comp) accept(now sim.VTimeInSec, req *TransferReq) {
	if len(req.PerChannel) != c.channels.Len() {
		log.Panicf("memtier %s: request for %d channels, tier has %d", c.Name(), len(req.PerChannel), c.channels.Len())
	}
	last := now
	var bytes int64
	for ch, b := range req.PerChannel {
		if b <= 0 {
			continue
		}
		last = max(last, c.channels.Book(now, ch, uint64(b)))
		bytes += b
	}
	done := last + c.latency
	c.Engine.Schedule(&respondEvent{EventBase: sim.NewEventBase(done, c), req: req, done: done, bytes: bytes})
}

// Handle handles the tier's events.
func (c *Comp) Handle(e sim.Event) error {
	switch e := e.(type) {
	case *respondEvent:
		return c.respond(e)
	case sim.TickEvent:
		return c.TickingComponent.Handle(e)
	default:
		return fmt.Errorf("memtier %s: cannot handle event %s", c.Name(), reflect.TypeOf(e))
	}
}

func (c *Comp) respond(e *respondEvent) error {
	now := e.Time()
	rsp := &TransferRsp{RspTo: e.req.ID, Tag: e.req.Tag, Bytes: e.bytes, Done: e.done}
	rsp.ID = sim.GetIDGenerator().Generate()
	rsp.Src, rsp.Dst, rsp.SendTime = c.topPort, e.req.Src, now
	if err := c.topPort.Send(rsp); err != nil {
		c.Engine.Schedule(&respondEvent{EventBase: sim.NewEventBase(c.Freq.NextTick(now), c), req: e.req, done: e.done, bytes: e.bytes})
		return nil
	}
	c.Bytes += e.bytes
	c.Transfers++
	return nil
}

// TopPort is the port that faces the controller.
func (c *Comp) TopPort() sim.Port { return c.topPort }

// BusyTime is the time channel ch has spent moving bytes.
func (c *Comp) BusyTime(ch int) sim.VTimeInSec { return c.channels.Busy(ch) }

// Channels is the number of channels.
func (c *Comp) Channels() int { return c.channels.Len() }
