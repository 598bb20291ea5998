package timing

import (
	"fmt"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/sim/kv/memtier"
)

// Model is a built timing model: an engine, the controller and the tiers.
type Model struct {
	engine sim.Engine
	ctrl   *Controller
	tiers  [NumTiers]*memtier.Comp
}

// Step simulates one decode step, starting when the previous one ended,
// and returns its phases.
func (m *Model) Step(s Step) (Phases, error) {
	if err := m.ctrl.checkStep(s); err != nil {
		return Phases{}, err
	}
	m.ctrl.load(s)
	m.ctrl.startStep(m.engine.CurrentTime())
	if err := m.engine.Run(); err != nil {
		return Phases{}, err
	}
	if !m.ctrl.done {
		return Phases{}, fmt.Errorf("timing: the step did not finish")
	}
	return m.ctrl.last, nil
}

// Run simulates the steps in order and returns each step's phases.
func (m *Model) Run(steps []Step) ([]Phases, error) {
	out := make([]Phases, 0, len(steps))
	for i, s := range steps {
		p, err := m.Step(s)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}
