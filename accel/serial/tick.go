package serial

import (
	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/internal/freelist"
)

// Event is a tick of a Component, handled by its handler (the component
// itself or, for an alarm, the component that embeds it).
type Event struct {
	time      sim.VTimeInSec
	handler   sim.Handler
	secondary bool
	self      bool // handled by comp itself
	comp      *Component
}

// Time implements sim.Event.
func (e *Event) Time() sim.VTimeInSec { return e.time }

// Handler implements sim.Event.
func (e *Event) Handler() sim.Handler { return e.handler }

// IsSecondary implements sim.Event.
func (e *Event) IsSecondary() bool { return e.secondary }

// EngineRank is the rank sim/engine orders the event by among same-time
// events: its handler's, found with lookup and kept by the component
// while the engine's ranks (generation) do not change.
func (e *Event) EngineRank(lookup func(sim.Handler) uint64, generation uint64) uint64 {
	return e.comp.rankOf(e.handler, e.self, lookup, generation)
}

// rankMemo is a handler's rank as the engine gave it in a generation.
type rankMemo struct {
	handler          sim.Handler
	generation, rank uint64
	ok               bool
}

// rankOf is h's rank, kept for the two handlers of the component's
// events: itself (self) and, for alarms, the component that embeds it.
func (c *Component) rankOf(h sim.Handler, self bool, lookup func(sim.Handler) uint64, generation uint64) uint64 {
	m := &c.ranks[1]
	if self {
		m = &c.ranks[0]
		if m.ok && m.generation == generation {
			return m.rank
		}
	} else if m.ok && m.generation == generation && m.handler == h {
		return m.rank
	}
	*m = rankMemo{handler: h, generation: generation, rank: lookup(h), ok: true}
	return m.rank
}

// Component is a ticking component: embed it as Akita's
// sim.TickingComponent.
type Component struct {
	*sim.ComponentBase
	Engine    sim.Engine
	Freq      sim.Freq
	ticker    sim.Ticker
	secondary bool
	nextTick  sim.VTimeInSec
	free      freelist.List[Event] // handled events, for reuse
	ranks     [2]rankMemo          // itself, the component that embeds it
}

// New returns a component named name whose ticks run ticker.Tick on
// engine at freq, as sim.NewTickingComponent.
func New(name string, engine sim.Engine, freq sim.Freq, ticker sim.Ticker) *Component {
	return &Component{ComponentBase: sim.NewComponentBase(name), Engine: engine, Freq: freq, ticker: ticker, nextTick: -1}
}

// NewSecondary returns a component whose ticks are secondary events, as
// sim.NewSecondaryTickingComponent.
func NewSecondary(name string, engine sim.Engine, freq sim.Freq, ticker sim.Ticker) *Component {
	c := New(name, engine, freq, ticker)
	c.secondary = true
	return c
}

// Schedule queues a tick at t handled by h (the component that embeds
// c): an alarm.
func (c *Component) Schedule(t sim.VTimeInSec, h sim.Handler) { c.schedule(t, h, false) }

// schedule queues a tick at t handled by h, c itself if self.
func (c *Component) schedule(t sim.VTimeInSec, h sim.Handler, self bool) {
	e := c.free.Get()
	*e = Event{time: t, handler: h, secondary: c.secondary, self: self, comp: c}
	c.Engine.Schedule(e)
}

// TickNow ticks the component at now unless a tick at or after now is
// scheduled.
func (c *Component) TickNow(now sim.VTimeInSec) {
	if c.nextTick >= now {
		return
	}
	c.nextTick = now
	c.schedule(now, c, true)
}

// TickLater ticks the component on the next clock edge after now unless
// a tick at or after that edge is scheduled.
func (c *Component) TickLater(now sim.VTimeInSec) {
	t := c.Freq.NextTick(now)
	if c.nextTick >= t {
		return
	}
	c.nextTick = t
	c.schedule(t, c, true)
}

// Handle runs a tick and, if it made progress, schedules the next.
func (c *Component) Handle(e sim.Event) error {
	now := e.Time()
	if c.ticker.Tick(now) {
		c.TickLater(now)
	}
	if te, ok := e.(*Event); ok {
		c.free.Put(te)
	}
	return nil
}

// NotifyRecv ticks the component on the next edge: a port received a
// message.
func (c *Component) NotifyRecv(now sim.VTimeInSec, _ sim.Port) { c.TickLater(now) }

// NotifyPortFree ticks the component on the next edge: a port can send
// again.
func (c *Component) NotifyPortFree(now sim.VTimeInSec, _ sim.Port) { c.TickLater(now) }
