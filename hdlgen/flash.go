package hdlgen

import (
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// flashParams are the numbers of the flash baseline's controller
// (dataflow.Schedule, "Blocks"): a windowed block sweeps the key tiles of
// KeyTile rows, from key 0, that meet its pinned keys or its window, each
// tile whole. The controller needs no divider: it counts a key's position
// in its tile as it sweeps, and the first key of the tile holding the next
// block's first window key is caught when the sweep passes that key.
type flashParams struct {
	// Flash is arch = flash.
	Flash bool
	// KeyTile is the tile rows the controller uses: min(Design.KeyTile(),
	// seq_len) (a tile of N or more keys holds every key).
	KeyTile int
	// TileL0 is the first key of the tile holding the first windowed
	// block's first window key: floor(lo(G) / KeyTile) * KeyTile.
	TileL0 int
	// TPW is the width of a key's position in its tile (0: one-key tiles).
	TPW int
}

// newFlashParams derives the flash controller's numbers (zero for the
// other archs, whose Verilog they must not change).
func newFlashParams(d *dataflow.Design) flashParams {
	if d.Arch != dataflow.ArchFlash {
		return flashParams{}
	}
	m := d.Mask()
	f := flashParams{Flash: true, KeyTile: min(d.KeyTile(), m.N)}
	if m.Global < m.N {
		lo, _ := m.WindowRange(m.Global)
		f.TileL0 = lo / f.KeyTile * f.KeyTile
	}
	f.TPW = resource.BitsFor(f.KeyTile - 1)
	return f
}

// Win reports whether the sequential controller computes a windowed
// block's window lo..hi: for the SWAT ring and the flash tiles.
func (p *params) Win() bool { return !p.Dense || p.Flash }
