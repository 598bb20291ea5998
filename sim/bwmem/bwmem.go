package bwmem

import (
	"fmt"

	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"
	"github.com/sarchlab/akita/v3/tracing"

	"github.com/swatsim/swatsim/accel/activity"
	"github.com/swatsim/swatsim/mem/channel"
)

// Comp is the controller.
type Comp struct {
	*sim.TickingComponent

	topPort    sim.Port // faces the loaders and the writer
	freq       sim.Freq
	latency    sim.VTimeInSec
	interleave uint64
	storage    *mem.Storage
	booked     *channel.Set // the channels' queues

	// Activity meters the time a request is in flight.
	Activity activity.Meter
	// BytesRead and BytesWritten count the traffic.
	BytesRead, BytesWritten uint64
}

type respondEvent struct {
	*sim.EventBase
	msg sim.Msg
}

// Handle handles the respond events and ticks.
func (c *Comp) Handle(e sim.Event) error {
	if r, ok := e.(*respondEvent); ok {
		return c.respond(r)
	}
	return c.TickingComponent.Handle(e)
}

// Tick takes every request that has arrived and schedules its response.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	progress := false
	for msg := c.topPort.Retrieve(now); msg != nil; msg = c.topPort.Retrieve(now) {
		c.accept(now, msg)
		progress = true
	}
	return progress
}

func (c *Comp) accept(now sim.VTimeInSec, msg sim.Msg) {
	var addr, size uint64
	switch m := msg.(type) {
	case *mem.ReadReq:
		addr, size = m.Address, m.AccessByteSize
		c.BytesRead += size
	case *mem.WriteReq:
		addr, size = m.Address, uint64(len(m.Data))
		c.BytesWritten += size
	default:
		panic(fmt.Sprintf("bwmem %s: cannot handle %T", c.Name(), msg))
	}
	c.Activity.Start(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqReceive(msg, c)
	}
	done := c.occupy(now, addr, size)
	c.Engine.Schedule(&respondEvent{sim.NewEventBase(done+c.latency, c), msg})
}

// occupy books the channels the access touches and returns when the last
// byte has moved.
func (c *Comp) occupy(now sim.VTimeInSec, addr, size uint64) sim.VTimeInSec {
	done := now
	for size > 0 {
		chunk := min(size, c.interleave-addr%c.interleave)
		ch := int(addr / c.interleave % uint64(c.booked.Len()))
		done = max(done, c.booked.Book(now, ch, chunk))
		addr += chunk
		size -= chunk
	}
	return done
}

// TopPort is the port that faces the loaders and the writer.
func (c *Comp) TopPort() sim.Port { return c.topPort }

// Busy is the seconds each channel spent transferring.
func (c *Comp) Busy() []float64 {
	out := make([]float64, c.booked.Len())
	for ch := range out {
		out[ch] = float64(c.booked.Busy(ch))
	}
	return out
}

func (c *Comp) respond(e *respondEvent) error {
	now := e.Time()
	rsp, err := c.response(now, e.msg)
	if err != nil {
		return err
	}
	if c.topPort.Send(rsp) != nil {
		c.Engine.Schedule(&respondEvent{sim.NewEventBase(c.freq.NextTick(now), c), e.msg})
		return nil
	}
	c.Activity.End(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqComplete(e.msg, c)
	}
	return nil
}

func (c *Comp) response(now sim.VTimeInSec, msg sim.Msg) (sim.Msg, error) {
	switch m := msg.(type) {
	case *mem.ReadReq:
		var data []byte
		if c.storage != nil {
			var err error
			if data, err = c.storage.Read(m.Address, m.AccessByteSize); err != nil {
				return nil, err
			}
		}
		return mem.DataReadyRspBuilder{}.WithSendTime(now).WithSrc(c.topPort).WithDst(m.Src).
			WithRspTo(m.ID).WithData(data).Build(), nil
	default:
		w := msg.(*mem.WriteReq)
		if c.storage != nil {
			if err := c.storage.Write(w.Address, w.Data); err != nil {
				return nil, err
			}
		}
		return mem.WriteDoneRspBuilder{}.WithSendTime(now).WithSrc(c.topPort).WithDst(w.Src).WithRspTo(w.ID).Build(), nil
	}
}
