package loader

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

// request is one burst in flight.
type request struct {
	r    Range // rows of this request
	req  *mem.ReadReq
	data []byte
	done bool
}

// Comp is a DMA loader.
type Comp struct {
	*serial.Component

	// OnArrival is called when rows become visible to the core.
	OnArrival func(now sim.VTimeInSec)

	freq       sim.Freq
	layout     stream.Layout
	rowsPerReq int
	functional bool
	fifo       *stream.FIFO
	plan       Plan
	bottomPort sim.Port // faces memory
	alarm      alarm.Alarm
	cur        Range
	curOK      bool
	started    bool
	pending    map[string]*request
	order      queue.Queue[*request]
	// Activity meters the time a request is in flight.
	Activity activity.Meter
	// BytesRead counts the bytes the loader read.
	BytesRead uint64
	// Requests counts the read requests sent.
	Requests uint64
}

// Tick runs the loader's stages back to front: deliver finished bursts,
// take responses, issue the next request.
func (c *Comp) Tick(now sim.VTimeInSec) bool {
	progress := c.deliver(now)
	progress = c.receive(now) || progress
	progress = c.issue(now) || progress
	return progress
}

func (c *Comp) cycle(now sim.VTimeInSec) int64 { return int64(c.freq.Cycle(now)) }

// deliver pushes finished requests into the FIFO in issue order.
func (c *Comp) deliver(now sim.VTimeInSec) bool {
	n := 0
	for n < c.order.Len() && (*c.order.At(n)).done {
		c.push(*c.order.At(n), c.cycle(now))
		n++
	}
	if n == 0 {
		return false
	}
	c.order.Drop(n)
	if c.OnArrival != nil {
		c.OnArrival(now)
	}
	return true
}

func (c *Comp) push(q *request, cyc int64) {
	l := c.layout
	d := l.Dim()
	for row := q.r.Lo; row <= q.r.Hi; row++ {
		b := stream.Beat{Head: q.r.Head, Row: row, Arrival: cyc}
		if c.functional {
			b.K = make([]int64, d)
			off := (row - q.r.Lo) * l.RowBytes
			stream.Decode(b.K, q.data[off:off+l.RowBytes], l.ElemBytes)
		}
		c.fifo.Push(b)
	}
}

func (c *Comp) receive(now sim.VTimeInSec) bool {
	msg := c.bottomPort.Retrieve(now)
	if msg == nil {
		return false
	}
	rsp := msg.(*mem.DataReadyRsp)
	q := c.pending[rsp.RespondTo]
	delete(c.pending, rsp.RespondTo)
	q.data, q.done = rsp.Data, true
	c.Activity.End(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqFinalize(q.req, c)
	}
	return true
}

// issue sends the next burst if the FIFO has room for its rows.
func (c *Comp) issue(now sim.VTimeInSec) bool {
	if !c.nextRange() {
		return false
	}
	r := c.cur
	r.Hi = min(r.Hi, r.Lo+c.layout.RowsFrom(r.Head, r.Lo, c.rowsPerReq)-1)
	rows := r.Hi - r.Lo + 1
	cyc := c.cycle(now)
	c.fifo.Trim(cyc)
	if !c.fifo.Reserve(rows, cyc) {
		if t := c.fifo.FreeAt(cyc, rows); t >= 0 {
			c.alarm.At(c.Component, c, c.freq.NCyclesLater(int(t-cyc), now), now)
		}
		return false
	}
	addr := c.layout.Addr(r.Head, r.Lo)
	req := mem.ReadReqBuilder{}.WithSendTime(now).WithSrc(c.bottomPort).WithDst(c.layout.Route(addr)).
		WithAddress(addr).WithByteSize(uint64(rows * c.layout.RowBytes)).Build()
	if err := c.bottomPort.Send(req); err != nil {
		c.fifo.Unreserve(rows)
		return false
	}
	c.Activity.Start(now)
	if c.NumHooks() > 0 {
		tracing.TraceReqInitiate(req, c, "")
	}
	q := &request{r: r, req: req}
	c.pending[req.ID] = q
	c.order.Push(q)
	c.BytesRead += uint64(rows * c.layout.RowBytes)
	c.Requests++
	c.cur.Lo = r.Hi + 1
	return true
}

func (c *Comp) nextRange() bool {
	if c.curOK && c.cur.Lo <= c.cur.Hi {
		return true
	}
	c.cur, c.curOK = c.plan.Next()
	return c.curOK
}
