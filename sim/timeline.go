package sim

import (
	akita "github.com/sarchlab/akita/v3/sim"
	"github.com/sarchlab/akita/v3/tracing"
)

// Span is one request of a unit (a loader's read, the writer's write, a
// memory access) on the timeline.
type Span struct {
	Unit       string
	What       string
	Start, End akita.VTimeInSec
}

// spanTracer is an Akita tracer that records the requests of the units it
// is attached to as timeline spans, up to a limit per unit.
type spanTracer struct {
	clock akita.TimeTeller
	limit int
	open  map[string]tracing.Task
	count map[string]int
	spans []Span
}

func newSpanTracer(clock akita.TimeTeller, limit int) *spanTracer {
	return &spanTracer{clock: clock, limit: limit, open: map[string]tracing.Task{}, count: map[string]int{}}
}

// StartTask implements tracing.Tracer.
func (t *spanTracer) StartTask(task tracing.Task) {
	if t.count[task.Where] >= t.limit {
		return
	}
	t.count[task.Where]++
	task.StartTime = t.clock.CurrentTime()
	t.open[task.ID] = task
}

// StepTask implements tracing.Tracer.
func (t *spanTracer) StepTask(tracing.Task) {}

// EndTask implements tracing.Tracer.
func (t *spanTracer) EndTask(task tracing.Task) {
	s, ok := t.open[task.ID]
	if !ok {
		return
	}
	delete(t.open, task.ID)
	t.spans = append(t.spans, Span{Unit: s.Where, What: s.What, Start: s.StartTime, End: t.clock.CurrentTime()})
}
