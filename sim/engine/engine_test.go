package engine

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sarchlab/akita/v3/sim"
)

// recorder is a handler that logs the events it handles by name.
type recorder struct {
	name string
	log  *[]string
	err  error
}

func (r *recorder) Handle(e sim.Event) error {
	*r.log = append(*r.log, r.name+"@"+e.(*event).tag)
	return r.err
}

type event struct {
	*sim.EventBase
	tag       string
	secondary bool
}

func (e *event) IsSecondary() bool { return e.secondary }

func newEvent(t sim.VTimeInSec, h sim.Handler, secondary bool, tag string) *event {
	return &event{sim.NewEventBase(t, h), tag, secondary}
}

// TestSameTimeOrder: earlier time first; at one time primary before
// secondary, ranked handlers in rank order before unranked ones, then
// scheduling order; the time advances.
func TestSameTimeOrder(t *testing.T) {
	e := New()
	var log []string
	a, b, c := &recorder{name: "a", log: &log}, &recorder{name: "b", log: &log}, &recorder{name: "c", log: &log}
	e.Rank(b, a)
	for _, ev := range []*event{
		newEvent(2, c, false, "2"), newEvent(1, c, true, "1s"), newEvent(1, a, false, "1"),
		newEvent(1, c, false, "1"), newEvent(1, b, false, "1"), newEvent(1, b, true, "1s"),
		newEvent(1, a, false, "1bis"), newEvent(0, c, false, "0"),
	} {
		e.Schedule(ev)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	want := []string{"c@0", "b@1", "a@1", "a@1bis", "c@1", "b@1s", "c@1s", "c@2"}
	if !slices.Equal(log, want) {
		t.Errorf("order %v, want %v", log, want)
	}
	if e.CurrentTime() != 2 {
		t.Errorf("time %g, want 2", float64(e.CurrentTime()))
	}
}

// TestRunStopsOnError: a handler's error ends the run and is returned;
// scheduling into the past panics.
func TestRunStopsOnError(t *testing.T) {
	e := New()
	var log []string
	bad := &recorder{name: "bad", log: &log, err: errors.New("boom")}
	ok := &recorder{name: "ok", log: &log}
	e.Schedule(newEvent(1, bad, false, "1"))
	e.Schedule(newEvent(2, ok, false, "2"))
	if err := e.Run(); err == nil || err.Error() != "boom" || len(log) != 1 {
		t.Errorf("err %v, log %v", err, log)
	}
	defer func() {
		if recover() == nil {
			t.Error("scheduling before the current time did not panic")
		}
	}()
	e.Schedule(newEvent(0.5, ok, false, "past"))
}

// TestQueueOrderMatchesSort pushes and pops items at random and checks
// that the heap hands them out in the order a sort by (time, rank, seq)
// gives (its key packs the rank above the sequence number).
func TestQueueOrderMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var q queue
	var pending []item
	var seq uint64
	for step := 0; step < 10000; step++ {
		if r.IntN(5) < 3 || len(pending) == 0 {
			it := item{time: sim.VTimeInSec(r.IntN(20)), key: uint64(r.IntN(4))<<seqBits | seq}
			seq++
			q.push(it)
			pending = append(pending, it)
			continue
		}
		got := q.pop()
		slices.SortFunc(pending, func(a, b item) int {
			if a.before(&b) {
				return -1
			}
			return 1
		})
		if got != pending[0] {
			t.Fatalf("step %d: popped %+v, want %+v", step, got, pending[0])
		}
		pending = pending[1:]
	}
}

// TestRankAfterSchedule: ranking a handler after its events were looked
// up (the one-entry cache) still takes effect.
func TestRankAfterSchedule(t *testing.T) {
	e := New()
	var log []string
	a, b := &recorder{name: "a", log: &log}, &recorder{name: "b", log: &log}
	e.Schedule(newEvent(1, b, false, "x"))
	e.Rank(b)
	e.Schedule(newEvent(1, b, false, "1"))
	e.Schedule(newEvent(1, a, false, "1"))
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"b@1", "b@x", "a@1"}; !slices.Equal(log, want) {
		t.Errorf("order %v, want %v", log, want)
	}
}

// counter counts the events it handles and, at the tenth, tells the test.
type counter struct {
	n     atomic.Int64
	tenth chan struct{}
}

func (c *counter) Handle(sim.Event) error {
	if c.n.Add(1) == 10 {
		close(c.tenth)
		time.Sleep(5 * time.Millisecond) // the test calls Pause meanwhile
	}
	return nil
}

// TestPauseHoldsRun: after Pause returns no event runs until Continue,
// and the run then finishes.
func TestPauseHoldsRun(t *testing.T) {
	e := New()
	c := &counter{tenth: make(chan struct{})}
	for i := 0; i < 200000; i++ {
		e.Schedule(newEvent(sim.VTimeInSec(i), c, false, ""))
	}
	done := make(chan error)
	go func() { done <- e.Run() }()
	<-c.tenth
	e.Pause()
	held := c.n.Load()
	if held >= 200000 {
		t.Fatal("the run ended before Pause")
	}
	time.Sleep(20 * time.Millisecond)
	if now := c.n.Load(); now != held {
		t.Errorf("%d events ran while paused", now-held)
	}
	e.Continue()
	if err := <-done; err != nil || c.n.Load() != 200000 {
		t.Errorf("run: %v, %d events", err, c.n.Load())
	}
}
