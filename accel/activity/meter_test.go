package activity

import "testing"

func TestMeterUnionOfIntervals(t *testing.T) {
	var m Meter
	// requests [1,4], [2,6], [8,9]: busy 5 + 1 = 6
	m.Start(1)
	m.Start(2)
	m.End(4)
	m.End(6)
	m.Start(8)
	if got := m.Busy(8.5); got != 5.5 {
		t.Errorf("busy while in flight = %v, want 5.5", got)
	}
	m.End(9)
	if got := m.Busy(20); got != 6 {
		t.Errorf("busy = %v, want 6", got)
	}
}
