package bwmem

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"
	"github.com/sarchlab/akita/v3/tracing"

	"github.com/swatsim/swatsim/accel/activity"
	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/internal/freelist"
	"github.com/swatsim/swatsim/mem/channel"
)

// Comp is the controller.
type Comp struct {
	*serial.Component

	topPort    sim.Port // faces the loaders and the writer
	freq       sim.Freq
	latency    sim.VTimeInSec
	interleave uint64
	storage    *mem.Storage
	booked     *channel.Set // the channels' queues
	bytesPerS  float64      // per channel
	chanBytes  []uint64     // bytes each channel moved
	arrived    []sim.Msg    // the requests taken in this tick
	// Each channel's current busy stretch (a chain of transfers, each
	// queued behind the previous): when it started and when it ends.
	chainStart, chainEnd []sim.VTimeInSec
	longestChain         sim.VTimeInSec
	freeEvents           freelist.List[respondEvent] // handled respond events, for reuse

	// Activity meters the time a request is in flight.
	Activity activity.Meter
	// BytesRead and BytesWritten count the traffic.
	BytesRead, BytesWritten uint64
}

// respondEvent sends the response to msg at time (the controller reuses
// its respond events, as package accel/serial its ticks).
type respondEvent struct {
	time sim.VTimeInSec
	c    *Comp
	msg  sim.Msg
}

func (e *respondEvent) Time() sim.VTimeInSec { return e.time }
func (e *respondEvent) Handler() sim.Handler { return e.c }
func (e *respondEvent) IsSecondary() bool    { return false }

// scheduleResponse queues the response to msg at t.
func (c *Comp) scheduleResponse(t sim.VTimeInSec, msg sim.Msg) {
	e := c.freeEvents.Get()
	*e = respondEvent{time: t, c: c, msg: msg}
	c.Engine.Schedule(e)
}

// Handle handles the respond events and ticks.
func (c *Comp) Handle(e sim.Event) error {
	if r, ok := e.(*respondEvent); ok {
		err := c.respond(r)
		r.msg = nil
		c.freeEvents.Put(r)
		return err
	}
	return c.Component.Handle(e)
}

// Tick takes every request that has arrived and schedules its response.
// Requests that arrive in the same cycle are booked in address order (a
// fixed arbiter), so the outcome does not hang on the order in which the
// engine ran their senders.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	c.arrived = c.arrived[:0]
	for msg := c.topPort.Retrieve(now); msg != nil; msg = c.topPort.Retrieve(now) {
		c.arrived = append(c.arrived, msg)
	}
	if len(c.arrived) > 1 {
		slices.SortStableFunc(c.arrived, compareRequests)
	}
	for _, msg := range c.arrived {
		c.accept(now, msg)
	}
	return len(c.arrived) > 0
}

// compareRequests orders requests by address, then by size, then by
// sender.
func compareRequests(a, b sim.Msg) int {
	aa, as := request(a)
	ba, bs := request(b)
	return cmp.Or(cmp.Compare(aa, ba), cmp.Compare(as, bs), cmp.Compare(a.Meta().Src.Name(), b.Meta().Src.Name()))
}

// request is the address and size of a read or write.
func request(msg sim.Msg) (addr, size uint64) {
	switch m := msg.(type) {
	case *mem.ReadReq:
		return m.Address, m.AccessByteSize
	case *mem.WriteReq:
		return m.Address, uint64(len(m.Data))
	}
	return 0, 0
}

func (c *Comp) accept(now sim.VTimeInSec, msg sim.Msg) {
	addr, size := request(msg)
	switch msg.(type) {
	case *mem.ReadReq:
		c.BytesRead += size
	case *mem.WriteReq:
		c.BytesWritten += size
	default:
		panic(fmt.Sprintf("bwmem %s: cannot handle %T", c.Name(), msg))
	}
	c.Activity.Start(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqReceive(msg, c)
	}
	done := c.occupy(now, addr, size)
	c.scheduleResponse(done+c.latency, msg)
}

// occupy books the channels the access touches and returns when the last
// byte has moved.
func (c *Comp) occupy(now sim.VTimeInSec, addr, size uint64) sim.VTimeInSec {
	done := now
	for size > 0 {
		chunk := min(size, c.interleave-addr%c.interleave)
		ch := int(addr / c.interleave % uint64(c.booked.Len()))
		if now >= c.chainEnd[ch] {
			c.longestChain = max(c.longestChain, c.chainEnd[ch]-c.chainStart[ch])
			c.chainStart[ch] = now
		}
		c.chainEnd[ch] = c.booked.Book(now, ch, chunk)
		done = max(done, c.chainEnd[ch])
		c.chanBytes[ch] += chunk
		addr += chunk
		size -= chunk
	}
	return done
}

// TopPort is the port that faces the loaders and the writer.
func (c *Comp) TopPort() sim.Port { return c.topPort }

// Busy is the seconds each channel spent transferring: its bytes over
// its bandwidth (see Seconds).
func (c *Comp) Busy() []float64 {
	out := make([]float64, len(c.chanBytes))
	for ch, b := range c.chanBytes {
		out[ch] = Seconds(b, c.bytesPerS)
	}
	return out
}

// LongestChain is the longest time a channel was busy without a break:
// transfers queued back to back. Transfers start on the controller's
// clock but last bytes / bandwidth, so a chain ends off the clock grid;
// a chain that breaks returns the channel to the grid.
func (c *Comp) LongestChain() sim.VTimeInSec {
	l := c.longestChain
	for ch := range c.chainEnd {
		l = max(l, c.chainEnd[ch]-c.chainStart[ch])
	}
	return l
}

// ChannelBytes is the bytes each channel moved.
func (c *Comp) ChannelBytes() []uint64 { return append([]uint64(nil), c.chanBytes...) }

// ChannelBytesPerS is each channel's bandwidth in bytes per second.
func (c *Comp) ChannelBytesPerS() float64 { return c.bytesPerS }

// Seconds is the time a channel of bytesPerS bytes per second spends
// moving n bytes (0 when the bandwidth is infinite). Computed from the
// byte count, a channel's busy time is a function of an integer counter.
func Seconds(n uint64, bytesPerS float64) float64 {
	if math.IsInf(bytesPerS, 1) {
		return 0
	}
	return float64(n) / bytesPerS
}

func (c *Comp) respond(e *respondEvent) error {
	now := e.Time()
	rsp, err := c.response(now, e.msg)
	if err != nil {
		return err
	}
	if c.topPort.Send(rsp) != nil {
		c.scheduleResponse(c.freq.NextTick(now), e.msg)
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
