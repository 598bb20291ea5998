package sim

import "github.com/swatsim/swatsim/dataflow"

// ShortcutAndOffByOne runs the steady-state shortcut of a timing-only
// design point and returns its result and the result of the same three
// short runs extrapolated one period too far (a planted error: the tests
// show that their comparison catches it). ok = false when the shortcut
// does not apply or its counters do not grow linearly.
func ShortcutAndOffByOne(d *dataflow.Design) (res, wrong *Result, ok bool, err error) {
	pl, ok := shortcutPlan(d, Options{TimingOnly: true})
	if !ok {
		return nil, nil, false, nil
	}
	ts, err := shortTallies(d, pl, nil)
	if err != nil {
		return nil, nil, false, err
	}
	if res, ok, err = finishShortcut(d, pl, ts); !ok || err != nil {
		return nil, nil, ok, err
	}
	pl.steps++
	wrong, _, err = finishShortcut(d, pl, ts)
	return res, wrong, wrong != nil, err
}

// ShortcutApplies reports whether a timing-only run of d would try the
// shortcut.
func ShortcutApplies(d *dataflow.Design) bool {
	_, ok := shortcutPlan(d, Options{TimingOnly: true})
	return ok
}
