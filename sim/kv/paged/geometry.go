package paged

import "fmt"

// Geometry is the byte layout of one tier's paged store and the access
// granularity of its memory.
type Geometry struct {
	RowBytes        int  // one token's K (or V) row of one head: D x element bytes
	BlockTokens     int  // rows per block
	BurstBytes      int  // smallest access: every touched burst moves whole
	InterleaveBytes int  // consecutive addresses change channel every InterleaveBytes
	Channels        int  // independent channels
	WholeBlocks     bool // gathers fetch every burst of each touched block
	ChannelHash     bool // spread interleave units over channels by a digit-sum hash
}

// BlockBytes is the size of one block.
func (g Geometry) BlockBytes() int64 { return int64(g.RowBytes) * int64(g.BlockTokens) }

// Validate checks the geometry and names the first field out of range.
func (g Geometry) Validate(tier string) error {
	switch {
	case g.RowBytes < 1:
		return fmt.Errorf("%s: row bytes = %d: must be >= 1", tier, g.RowBytes)
	case g.BlockTokens < 1:
		return fmt.Errorf("%s: block_tokens = %d: must be >= 1", tier, g.BlockTokens)
	case g.BurstBytes < 1:
		return fmt.Errorf("%s.burst_bytes = %d: must be >= 1", tier, g.BurstBytes)
	case g.Channels < 1:
		return fmt.Errorf("%s.channels = %d: must be >= 1", tier, g.Channels)
	case g.InterleaveBytes < g.BurstBytes || g.InterleaveBytes%g.BurstBytes != 0:
		return fmt.Errorf("%s.interleave_bytes = %d: must be a positive multiple of burst_bytes = %d", tier, g.InterleaveBytes, g.BurstBytes)
	case g.BlockBytes()%int64(g.BurstBytes) != 0:
		return fmt.Errorf("%s: a block of %d tokens x %d bytes = %d bytes is not a multiple of burst_bytes = %d; choose block_tokens so that blocks start on burst boundaries",
			tier, g.BlockTokens, g.RowBytes, g.BlockBytes(), g.BurstBytes)
	}
	return nil
}

// Channel is the channel serving the burst that starts at addr: the
// interleave unit u = addr / InterleaveBytes modulo Channels, or, with
// ChannelHash, the sum of u's base-Channels digits modulo Channels (a
// hash that, like a controller's XOR hash, keeps consecutive units on
// consecutive channels but moves the start of each Channels-unit row, so
// that partly filled blocks do not all pile onto channel 0).
func (g Geometry) Channel(addr int64) int {
	u := addr / int64(g.InterleaveBytes)
	c := int64(g.Channels)
	if !g.ChannelHash || c == 1 {
		return int(u % c)
	}
	var sum int64
	for ; u > 0; u /= c {
		sum += u % c
	}
	return int(sum % c)
}
