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
func (s *streaming) Evict(t int, _ *Obs, _ *Cost) [][]int {
	var ev [][]int
	for h, c := range s.cache {
		n := len(c) - s.keep()
		if n <= 0 {
			continue
		}
		first := min(s.p.Sinks, len(c)) // sinks are tokens 0..S-1, the head of the list
		drop := append([]int(nil), c[first:first+n]...)
		s.remove(h, drop)
		if ev == nil {
			ev = make([][]int, s.heads)
		}
		ev[h] = drop
	}
	return ev
}
