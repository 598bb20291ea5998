package serial_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/serial"
	"github.com/swatsim/swatsim/sim/engine"
)

// ticker logs its ticks and makes progress on a seeded pattern.
type ticker struct {
	log      *[]string
	name     string
	progress int // ticks left that report progress
}

func (t *ticker) Tick(now sim.VTimeInSec) bool {
	if t.log != nil {
		*t.log = append(*t.log, fmt.Sprintf("%s@%.3g", t.name, float64(now)*1e9))
	}
	if t.progress > 0 {
		t.progress--
		return true
	}
	return false
}

// scheduler is the part of a ticking component the test drives.
type scheduler interface {
	TickLater(now sim.VTimeInSec)
	TickNow(now sim.VTimeInSec)
}

// poker is a handler that, at seeded times, asks a component to tick
// later or now and gives it a few ticks of progress.
type poker struct {
	e    sim.Engine
	comp scheduler
	tk   *ticker
	r    *rand.Rand
	left int
}

type pokeEvent struct{ *sim.EventBase }

func (p *poker) Handle(e sim.Event) error {
	now := e.Time()
	switch p.r.IntN(3) {
	case 0:
		p.comp.TickLater(now)
	case 1:
		p.comp.TickNow(now)
	default:
		p.tk.progress += p.r.IntN(4)
		p.comp.TickLater(now)
	}
	if p.left--; p.left > 0 {
		next := now + sim.VTimeInSec(p.r.IntN(7))*0.5e-9 // on and off the 1 GHz grid
		p.e.Schedule(pokeEvent{sim.NewEventBase(next, p)})
	}
	return nil
}

// runTicks drives a component built by mk with seed's pokes and returns
// the log of its ticks.
func runTicks(seed uint64, secondary bool, mk func(e sim.Engine, freq sim.Freq, tk *ticker) scheduler) []string {
	e := engine.New()
	var log []string
	tk := &ticker{log: &log, name: "c"}
	comp := mk(e, 1*sim.GHz, tk)
	p := &poker{e: e, comp: comp, tk: tk, r: rand.New(rand.NewPCG(seed, 1)), left: 300}
	e.Schedule(pokeEvent{sim.NewEventBase(0, p)})
	if err := e.Run(); err != nil {
		panic(err)
	}
	return log
}

// TestComponentTicksAsAkitas: the component ticks at exactly the times
// Akita's TickingComponent does under the same random TickLater, TickNow
// and progress pattern, primary and secondary.
func TestComponentTicksAsAkitas(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		for _, secondary := range []bool{false, true} {
			want := runTicks(seed, secondary, func(e sim.Engine, f sim.Freq, tk *ticker) scheduler {
				if secondary {
					return sim.NewSecondaryTickingComponent("Comp", e, f, tk)
				}
				return sim.NewTickingComponent("Comp", e, f, tk)
			})
			got := runTicks(seed, secondary, func(e sim.Engine, f sim.Freq, tk *ticker) scheduler {
				if secondary {
					return serial.NewSecondary("Comp", e, f, tk)
				}
				return serial.New("Comp", e, f, tk)
			})
			if len(want) < 50 || !slices.Equal(got, want) {
				t.Fatalf("seed %d secondary %v: %d ticks %v\nAkita's %d ticks %v", seed, secondary, len(got), got, len(want), want)
			}
		}
	}
}

// TestComponentReusesEvents: a component that ticks on and on stops
// allocating tick events.
func TestComponentReusesEvents(t *testing.T) {
	e := engine.New()
	tk := &ticker{}
	c := serial.New("Comp", e, 1*sim.GHz, tk)
	allocs := testing.AllocsPerRun(20, func() {
		tk.progress = 100
		c.TickLater(e.CurrentTime())
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations per 100 ticks", allocs)
	}
}

// sink is a component that records what its port notifies.
type sink struct {
	*sim.ComponentBase
	recv, free int
}

func (s *sink) Handle(sim.Event) error                  { return nil }
func (s *sink) NotifyRecv(sim.VTimeInSec, sim.Port)     { s.recv++ }
func (s *sink) NotifyPortFree(sim.VTimeInSec, sim.Port) { s.free++ }

// conn records NotifyAvailable calls.
type conn struct {
	sim.HookableBase
	available int
}

func (c *conn) Send(sim.Msg) *sim.SendError              { return nil }
func (c *conn) PlugIn(sim.Port, int)                     {}
func (c *conn) Unplug(sim.Port)                          {}
func (c *conn) NotifyAvailable(sim.VTimeInSec, sim.Port) { c.available++ }
func (c *conn) CanSend(sim.Port) bool                    { return true }
func (c *conn) NotifySend(sim.VTimeInSec, sim.Port)      {}
func (c *conn) Name() string                             { return "conn" }

type msg struct{ meta sim.MsgMeta }

func (m *msg) Meta() *sim.MsgMeta { return &m.meta }

// TestPortAsLimitNumMsgPort: the port and Akita's LimitNumMsgPort take and
// refuse the same messages, hand them out in the same order and tell the
// component and the connection the same things.
func TestPortAsLimitNumMsgPort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var ops []int
	for i := 0; i < 2000; i++ {
		ops = append(ops, r.IntN(3))
	}
	trace := func(mk func(comp sim.Component) sim.Port) []string {
		s := &sink{ComponentBase: sim.NewComponentBase("Sink")}
		p := mk(s)
		c := &conn{}
		p.SetConnection(c)
		var out []string
		n := 0
		for _, op := range ops {
			switch op {
			case 0, 1:
				m := &msg{meta: sim.MsgMeta{ID: fmt.Sprint(n)}}
				n++
				out = append(out, fmt.Sprint("recv ", m.meta.ID, " ", p.Recv(m) == nil))
			default:
				got := p.Retrieve(0)
				id := "nil"
				if got != nil {
					id = got.Meta().ID
				}
				peek := "nil"
				if pk := p.Peek(); pk != nil {
					peek = pk.Meta().ID
				}
				out = append(out, "retrieve "+id+" peek "+peek)
			}
			out = append(out, fmt.Sprint("recv ", s.recv, " available ", c.available))
		}
		return out
	}
	want := trace(func(comp sim.Component) sim.Port { return sim.NewLimitNumMsgPort(comp, 5, "Sink.Port") })
	got := trace(func(comp sim.Component) sim.Port { return serial.NewPort(comp, 5, "Sink.Port") })
	if !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("op %d: %q, LimitNumMsgPort %q", i, got[i], want[i])
			}
		}
	}
}

// outer is a component that embeds a Component, as the platform's units
// do, and logs its ticks.
type outer struct {
	*serial.Component
	log  *[]string
	name string
}

func (o *outer) Tick(now sim.VTimeInSec) bool {
	*o.log = append(*o.log, fmt.Sprintf("%s@%g", o.name, float64(now)*1e9))
	return false
}

// TestEventsFollowEngineRanks: events a component schedules for the
// component that embeds it run in the engine's rank order among
// same-time events, also when the ranks are given after the component
// scheduled (and kept the rank of) earlier events.
func TestEventsFollowEngineRanks(t *testing.T) {
	e := engine.New()
	var log []string
	a, b := &outer{log: &log, name: "A"}, &outer{log: &log, name: "B"}
	a.Component = serial.New("A", e, 1*sim.GHz, a)
	b.Component = serial.New("B", e, 1*sim.GHz, b)
	a.Schedule(1e-9, a)
	b.Schedule(1e-9, b)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	e.Rank(b, a)
	a.Schedule(2e-9, a)
	b.Schedule(2e-9, b)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"A@1", "B@1", "B@2", "A@2"}; !slices.Equal(log, want) {
		t.Errorf("ticks %v, want %v", log, want)
	}
}
