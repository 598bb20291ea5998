package engine

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sarchlab/akita/v3/sim"
)

// Serial is the engine. It implements sim.Engine.
type Serial struct {
	*sim.HookableBase
	ranks      map[sim.Handler]uint64
	now        sim.VTimeInSec
	queue      queue
	seq        uint64
	pause      sync.Mutex
	pauseAsked atomic.Bool
	endHandler []sim.SimulationEndHandler
	lookup     func(sim.Handler) uint64 // rankOf, for rankKeepers
	generation uint64                   // changes with every Rank call
}

// New returns an engine at time 0 with no events.
func New() *Serial {
	e := &Serial{HookableBase: sim.NewHookableBase()}
	e.lookup = e.rankOf
	return e
}

// item is a scheduled event and its place in the order among events at
// the same time, packed in key: the top bit is set for secondary events,
// the next rankBits hold the handler's rank, the rest the scheduling
// sequence number.
type item struct {
	time sim.VTimeInSec
	key  uint64
	evt  sim.Event
}

const (
	rankBits     = 15
	seqBits      = 63 - rankBits
	secondaryBit = 1 << 63
	unranked     = 1<<rankBits - 1 // after every rank Rank gives
	maxSeq       = 1<<seqBits - 1
)

// before reports whether a runs before b: earlier time, then primary
// before secondary, then the lower handler rank, then scheduled first.
func (a *item) before(b *item) bool {
	if a.time != b.time {
		return a.time < b.time
	}
	return a.key < b.key
}

// Rank fixes the order of the handlers' events among events at the same
// time: the handlers' events run in the order the handlers are given,
// before those of handlers never ranked. Then the order no longer hangs on
// which event was scheduled first.
func (e *Serial) Rank(handlers ...sim.Handler) {
	if e.ranks == nil {
		e.ranks = map[sim.Handler]uint64{}
	}
	e.generation++
	for _, h := range handlers {
		if _, ok := e.ranks[h]; !ok {
			if len(e.ranks) >= unranked {
				panic(fmt.Sprintf("engine: more than %d ranked handlers", unranked))
			}
			e.ranks[h] = uint64(len(e.ranks))
		}
	}
}

// queue is a 4-ary min-heap of items: half the levels of a binary heap,
// and a node's children share a cache line or two.
type queue []item

const arity = 4

func (q *queue) push(it item) {
	*q = append(*q, it)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / arity
		if !it.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
}

func (q *queue) pop() item {
	h := *q
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h[n] = item{}
	h = h[:n]
	if n > 0 {
		i := 0
		for {
			c := arity*i + 1
			if c >= n {
				break
			}
			m := c
			for k := c + 1; k < min(c+arity, n); k++ {
				if h[k].before(&h[m]) {
					m = k
				}
			}
			if !h[m].before(&last) {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = last
	}
	*q = h
	return top
}

// Schedule queues an event; it panics on an event before the current
// time, as Akita's engines do.
func (e *Serial) Schedule(evt sim.Event) {
	t := evt.Time()
	if t < e.now {
		panic(fmt.Sprintf("engine: scheduling %T at %.12g s, before the current time %.12g s", evt, float64(t), float64(e.now)))
	}
	var rank uint64
	if rk, ok := evt.(rankKeeper); ok {
		rank = rk.EngineRank(e.lookup, e.generation)
	} else {
		rank = e.rankOf(evt.Handler())
	}
	key := rank<<seqBits | e.seq
	if evt.IsSecondary() {
		key |= secondaryBit
	}
	if e.seq == maxSeq {
		panic(fmt.Sprintf("engine: more than %d events", maxSeq))
	}
	e.queue.push(item{time: t, key: key, evt: evt})
	e.seq++
}

// rankOf is h's rank (unranked if none).
func (e *Serial) rankOf(h sim.Handler) uint64 {
	rank, ok := e.ranks[h]
	if !ok {
		rank = unranked
	}
	return rank
}

// A rankKeeper is an event that finds its handler's rank itself, with
// the engine's lookup, and may keep what it found while the generation
// (which every Rank call changes) stays the same: a handler that
// schedules millions of events spares the engine as many map lookups
// (package accel/serial's ticks do).
type rankKeeper interface {
	EngineRank(lookup func(sim.Handler) uint64, generation uint64) uint64
}

// CurrentTime is the time of the event being handled.
func (e *Serial) CurrentTime() sim.VTimeInSec { return e.now }

// Run handles every event in order until none is left; it stops at the
// first handler error and returns it. It holds the pause lock while it
// runs and lets go of it between two events only when Pause asks.
func (e *Serial) Run() error {
	e.pause.Lock()
	defer e.pause.Unlock()
	for len(e.queue) > 0 {
		if e.pauseAsked.Load() {
			e.pause.Unlock()
			e.pause.Lock()
		}
		hooks := e.NumHooks() > 0
		it := e.queue.pop()
		e.now = it.time
		if hooks {
			e.InvokeHook(sim.HookCtx{Domain: e, Pos: sim.HookPosBeforeEvent, Item: it.evt})
		}
		err := it.evt.Handler().Handle(it.evt)
		if hooks {
			e.InvokeHook(sim.HookCtx{Domain: e, Pos: sim.HookPosAfterEvent, Item: it.evt})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Pause holds the run before its next event until Continue.
func (e *Serial) Pause() {
	e.pauseAsked.Store(true)
	e.pause.Lock()
	e.pauseAsked.Store(false)
}

// Continue resumes a paused run.
func (e *Serial) Continue() { e.pause.Unlock() }

// RegisterSimulationEndHandler registers a handler that Finished calls.
func (e *Serial) RegisterSimulationEndHandler(h sim.SimulationEndHandler) {
	e.endHandler = append(e.endHandler, h)
}

// Finished calls the registered end handlers.
func (e *Serial) Finished() {
	for _, h := range e.endHandler {
		h.Handle(e.now)
	}
}
