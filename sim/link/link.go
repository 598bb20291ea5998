package link

import (
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/internal/queue"
)

// end is a port's side of the link: the messages it sent that wait for
// their destination.
type end struct {
	port    sim.Port
	buf     queue.Queue[sim.Msg]
	bufSize int
	busy    bool // a send was refused: notify the port when room frees
}

// Link is the connection. It implements sim.Connection.
type Link struct {
	*serial.Component
	ends   []*end
	index  map[sim.Port]int
	nextID int
}

// New returns a link ticking at freq, as Akita's NewDirectConnection.
func New(name string, engine sim.Engine, freq sim.Freq) *Link {
	l := &Link{index: map[sim.Port]int{}}
	l.Component = serial.NewSecondary(name, engine, freq, l)
	return l
}

// PlugIn connects a port whose side of the link buffers
// sourceSideBufSize messages.
func (l *Link) PlugIn(port sim.Port, sourceSideBufSize int) {
	l.index[port] = len(l.ends)
	l.ends = append(l.ends, &end{port: port, bufSize: sourceSideBufSize})
	port.SetConnection(l)
}

// Unplug is not supported, as in Akita's DirectConnection.
func (l *Link) Unplug(_ sim.Port) { panic("link: Unplug is not supported") }

// NotifyAvailable ticks the link now: a destination has room again.
func (l *Link) NotifyAvailable(now sim.VTimeInSec, _ sim.Port) { l.TickNow(now) }

// CanSend reports whether src's side has room; if not, src is notified
// when it has.
func (l *Link) CanSend(src sim.Port) bool {
	e := l.ends[l.mustIndex(src)]
	if e.buf.Len() >= e.bufSize {
		e.busy = true
		return false
	}
	return true
}

// Send queues msg on its source's side and ticks the link at its send
// time; it refuses (and will notify the source) when that side is full.
func (l *Link) Send(msg sim.Msg) *sim.SendError {
	m := msg.Meta()
	if m.Src == nil || m.Dst == nil {
		panic("link: src or dst is not given")
	}
	if m.Src == m.Dst {
		panic("link: sending back to src")
	}
	l.mustIndex(m.Dst)
	e := l.ends[l.mustIndex(m.Src)]
	if e.buf.Len() >= e.bufSize {
		e.busy = true
		return sim.NewSendError()
	}
	e.buf.Push(msg)
	l.TickNow(m.SendTime)
	return nil
}

func (l *Link) mustIndex(p sim.Port) int {
	i, ok := l.index[p]
	if !ok {
		panic("link: src or dst is not connected")
	}
	return i
}

// Tick forwards every end's messages, round robin from a start that
// advances by one end per tick.
func (l *Link) Tick(now sim.VTimeInSec) bool {
	progress := false
	n := len(l.ends)
	for i := 0; i < n; i++ {
		progress = l.forward(l.ends[(i+l.nextID)%n], now) || progress
	}
	l.nextID = (l.nextID + 1) % n
	return progress
}

// forward delivers an end's messages in order until a destination refuses.
func (l *Link) forward(e *end, now sim.VTimeInSec) bool {
	progress := false
	for e.buf.Len() > 0 {
		head := *e.buf.At(0)
		head.Meta().RecvTime = now
		if head.Meta().Dst.Recv(head) != nil {
			break
		}
		progress = true
		e.buf.Drop(1)
		if e.busy {
			e.port.NotifyAvailable(now)
			e.busy = false
		}
	}
	return progress
}
