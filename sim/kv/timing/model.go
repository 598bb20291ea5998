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

// Run simulates the steps in order and returns each step's phases.
func (m *Model) Run(steps []Step) ([]Phases, error) {
	for i, s := range steps {
		if err := m.ctrl.checkStep(s); err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
	}
	m.ctrl.load(steps)
	m.ctrl.TickLater(m.engine.CurrentTime())
	if err := m.engine.Run(); err != nil {
		return nil, err
	}
	if m.ctrl.cur != len(steps) {
		return nil, fmt.Errorf("timing: simulation stopped after %d of %d steps", m.ctrl.cur, len(steps))
	}
	return m.ctrl.phases, nil
}

// TierBytes is the number of bytes tier i moved.
func (m *Model) TierBytes(i int) int64 { return m.tiers[i].Bytes }

// Seconds is the simulated time.
func (m *Model) Seconds() float64 { return float64(m.engine.CurrentTime()) }
