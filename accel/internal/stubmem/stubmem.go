// Package stubmem is the stub memory of the accel unit tests: Akita's
// ideal memory controller on a storage the test can read and write, with
// a fixed latency and one port.
package stubmem

import (
	"github.com/sarchlab/akita/v3/mem/idealmemcontroller"
	"github.com/sarchlab/akita/v3/mem/mem"
	"github.com/sarchlab/akita/v3/sim"
)

// Mem is a stub memory and the connection its clients plug into.
type Mem struct {
	Engine  sim.Engine
	Storage *mem.Storage
	Top     sim.Port
	Conn    *sim.DirectConnection
}

// New builds a 1 GHz memory of size bytes answering after latency cycles.
func New(size uint64, latency int) *Mem {
	e := sim.NewSerialEngine()
	st := mem.NewStorage(size)
	c := idealmemcontroller.MakeBuilder().WithEngine(e).WithFreq(1 * sim.GHz).WithLatency(latency).
		WithStorage(st).WithTopBufSize(64).WithWidth(64).Build("StubMem")
	m := &Mem{Engine: e, Storage: st, Top: c.GetPortByName("Top")}
	m.Conn = sim.NewDirectConnection("StubConn", e, 1*sim.GHz)
	m.Conn.PlugIn(m.Top, 64)
	return m
}

// Route sends every address to the memory.
func (m *Mem) Route(uint64) sim.Port { return m.Top }
