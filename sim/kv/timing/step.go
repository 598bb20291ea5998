package timing

import "github.com/sarchlab/akita/v3/sim"

// Tier indices: the order in which attention folds the parts.
const (
	// OnChip is the on-chip buffer.
	OnChip = 0
	// OffChip is HBM or DDR.
	OffChip = 1
	// Host is host memory behind a PCIe-like link.
	Host = 2
	// NumTiers is the number of tiers.
	NumTiers = 3
)

// Step is the work of one decode step; byte slices are per channel of the
// tier (nil or all zero: no transfer).
type Step struct {
	Background [NumTiers][]int64 // writes and migrations, issued at the start
	PreSelect  [NumTiers][]int64 // reads the selection waits for
	Gather     [NumTiers][]int64 // K/V rows of the attended tokens
	SelectMACs int64             // scoring multiply-accumulates
	Candidates int64             // candidates streamed through the top-k/argmin unit
	AttnMACs   [NumTiers]int64   // attention MACs of each tier's part
	Parts      int               // non-empty parts merged (at most NumTiers)
}

// Phases is the time of one step in cycles of the controller's clock.
type Phases struct {
	Total     float64 `json:"total"`
	PreSelect float64 `json:"pre_select"` // metadata and second-pass reads
	Select    float64 `json:"select"`     // scoring and top-k
	Attention float64 `json:"attention"`  // gathers overlapped with attention
	Merge     float64 `json:"merge"`      // LSE merge, division and waiting for writes
}

// TierSpec is the bandwidth, latency and channel count of one tier.
type TierSpec struct {
	Bandwidth float64        // bytes per second, all channels together
	Latency   sim.VTimeInSec // added once per transfer
	Channels  int
}

func nonZero(b []int64) bool {
	for _, x := range b {
		if x > 0 {
			return true
		}
	}
	return false
}
