package dataflow

// SweepTail is the cycles from a key's issue to the end of its SV update,
// 2C + Ls: a sweep ends that long after its last issue (SCHEDULE.md,
// "Phases of a block"). The generated controllers take it from here.
func (t Timing) SweepTail() int { return 2*t.C + t.Ls }

// NormCycles is the length of the norm phase, Lr + C.
func (t Timing) NormCycles() int { return t.Lr + t.C }
