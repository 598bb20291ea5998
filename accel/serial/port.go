package serial

import (
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/internal/queue"
)

// Port is a message port with a bounded incoming buffer. It implements
// sim.Port.
type Port struct {
	sim.HookableBase
	name     string
	comp     sim.Component
	conn     sim.Connection
	buf      queue.Queue[sim.Msg]
	capacity int
	busy     bool // a Recv was refused: tell the connection when room frees
}

// NewPort returns comp's port named name that buffers capacity incoming
// messages, as sim.NewLimitNumMsgPort.
func NewPort(comp sim.Component, capacity int, name string) *Port {
	return &Port{name: name, comp: comp, capacity: capacity}
}

// Name implements sim.Named.
func (p *Port) Name() string { return p.name }

// SetConnection implements sim.Port.
func (p *Port) SetConnection(conn sim.Connection) { p.conn = conn }

// Component implements sim.Port.
func (p *Port) Component() sim.Component { return p.comp }

// CanSend implements sim.Port.
func (p *Port) CanSend() bool { return p.conn.CanSend(p) }

// Send implements sim.Port.
func (p *Port) Send(msg sim.Msg) *sim.SendError {
	err := p.conn.Send(msg)
	if err == nil && p.NumHooks() > 0 {
		p.InvokeHook(sim.HookCtx{Domain: p, Pos: sim.HookPosPortMsgSend, Item: msg})
	}
	return err
}

// Recv implements sim.Port: it buffers msg and notifies the component,
// or refuses when the buffer is full.
func (p *Port) Recv(msg sim.Msg) *sim.SendError {
	if p.buf.Len() >= p.capacity {
		p.busy = true
		return sim.NewSendError()
	}
	if p.NumHooks() > 0 {
		p.InvokeHook(sim.HookCtx{Domain: p, Pos: sim.HookPosPortMsgRecvd, Item: msg})
	}
	p.buf.Push(msg)
	if p.comp != nil {
		p.comp.NotifyRecv(msg.Meta().RecvTime, p)
	}
	return nil
}

// Retrieve implements sim.Port: it takes the oldest buffered message (nil
// if none).
func (p *Port) Retrieve(now sim.VTimeInSec) sim.Msg {
	if p.buf.Len() == 0 {
		return nil
	}
	msg := *p.buf.At(0)
	p.buf.Drop(1)
	if p.NumHooks() > 0 {
		p.InvokeHook(sim.HookCtx{Domain: p, Pos: sim.HookPosPortMsgRetrieve, Item: msg})
	}
	if p.busy {
		p.busy = false
		p.conn.NotifyAvailable(now, p)
	}
	return msg
}

// Peek implements sim.Port.
func (p *Port) Peek() sim.Msg {
	if p.buf.Len() == 0 {
		return nil
	}
	return *p.buf.At(0)
}

// NotifyAvailable implements sim.Port: the connection has room again.
func (p *Port) NotifyAvailable(now sim.VTimeInSec) {
	if p.comp != nil {
		p.comp.NotifyPortFree(now, p)
	}
}
