package writer

import (
	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"
	"github.com/sarchlab/akita/v3/tracing"

	"github.com/swatsim/swatsim/accel/activity"
	"github.com/swatsim/swatsim/accel/alarm"
	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/internal/queue"
)

// Comp is the output writer.
type Comp struct {
	*serial.Component

	freq        sim.Freq
	layout      stream.Layout
	bottomPort  sim.Port // faces memory
	alarm       alarm.Alarm
	queue       queue.Queue[stream.Beat] // rows in output order; Arrival = cycle they left the core
	outstanding int
	inflight    map[string]*mem.WriteReq
	zeros       []byte // payload of timing-only writes (never written to)
	// Activity meters the time a write is in flight.
	Activity activity.Meter
	// BytesWritten counts the bytes written.
	BytesWritten uint64
	// Requests counts the write requests sent.
	Requests uint64
	// LastDone is the time the last write completed.
	LastDone sim.VTimeInSec
}

// Push hands the writer an output row that leaves the core in cycle
// b.Arrival.
func (c *Comp) Push(b stream.Beat, now sim.VTimeInSec) {
	c.queue.Push(b)
	if c.queue.Len() == 1 {
		c.wakeAt(b.Arrival, now)
	}
}

// Idle reports whether every row has been written and acknowledged.
func (c *Comp) Idle() bool { return c.queue.Len() == 0 && c.outstanding == 0 }

func (c *Comp) wakeAt(cyc int64, now sim.VTimeInSec) {
	cur := int64(c.freq.Cycle(now))
	if cyc <= cur {
		c.TickLater(now)
		return
	}
	c.alarm.At(c.Component, c, c.freq.NCyclesLater(int(cyc-cur), now), now)
}

// Tick runs the stages back to front: take acknowledgements, then send the
// next burst of rows that have left the core.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	progress := c.receive(now)
	return c.send(now) || progress
}

func (c *Comp) receive(now sim.VTimeInSec) bool {
	msg := c.bottomPort.Retrieve(now)
	if msg == nil {
		return false
	}
	if rsp, ok := msg.(*mem.WriteDoneRsp); ok {
		c.outstanding--
		c.LastDone = now
		c.Activity.End(now)
		if c.NumHooks() > 0 {
			tracing.TraceReqFinalize(c.inflight[rsp.RespondTo], c)
		}
		delete(c.inflight, rsp.RespondTo)
	}
	return true
}

// send writes the longest run of ready, contiguous rows (up to a burst).
func (c *Comp) send(now sim.VTimeInSec) bool {
	if c.queue.Len() == 0 {
		return false
	}
	cyc := int64(c.freq.Cycle(now))
	n := c.run()
	if last := c.queue.At(n - 1).Arrival; last > cyc {
		c.wakeAt(last, now)
		return false
	}
	first := c.queue.At(0)
	l := c.layout
	addr := l.Addr(first.Head, first.Row)
	data := c.burstData(n)
	for i := 0; i < n; i++ {
		if codes := c.queue.At(i).Codes(); codes != nil {
			stream.Encode(data[i*l.RowBytes:], codes, l.ElemBytes)
		}
	}
	req := mem.WriteReqBuilder{}.WithSendTime(now).WithSrc(c.bottomPort).WithDst(l.Route(addr)).
		WithAddress(addr).WithData(data).Build()
	if err := c.bottomPort.Send(req); err != nil {
		return false
	}
	c.Activity.Start(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqInitiate(req, c, "")
		c.inflight[req.ID] = req
	}
	c.queue.Drop(n)
	c.outstanding++
	c.Requests++
	c.BytesWritten += uint64(len(data))
	return true
}

// burstData is the payload of a write of n rows: fresh bytes for rows
// with codes, otherwise (timing-only runs, whose memory keeps no data) a
// shared zero buffer that only gives the write its size.
func (c *Comp) burstData(n int) []byte {
	size := n * c.layout.RowBytes
	if first := c.queue.At(0); first.K == nil && first.Pending == nil {
		if len(c.zeros) < size {
			c.zeros = make([]byte, size)
		}
		return c.zeros[:size:size]
	}
	return make([]byte, size)
}

// run counts the leading queued rows that are contiguous in memory, up to
// a burst and not past a Boundary; they are sent together once the last
// has left the core.
func (c *Comp) run() int {
	first := c.queue.At(0)
	n, most := 0, c.layout.RowsFrom(first.Head, first.Row, c.queue.Len())
	for n < most {
		if b := c.queue.At(n); n > 0 && (b.Head != first.Head || b.Row != first.Row+n) {
			break
		}
		n++
	}
	return n
}
