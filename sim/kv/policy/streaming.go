package policy

// streaming is StreamingLLM: the S sink tokens and the last B-S tokens.
// The query of step t attends exactly to reference.Mask{Causal: true,
// Window: B-S, Sinks: S}'s row t.
type streaming struct{ base }

// Start keeps the sinks and the newest prompt tokens.
func (s *streaming) Start(pf *Prefill) {
	s.startAll(pf.P)
	s.Evict(pf.P, nil, nil)
}

// Evict drops the oldest non-sink tokens.
func (s *streaming) Evict(int, *Obs, *Cost) [][]int {
	return s.slideWindow(func(int) bool { return true })
}
