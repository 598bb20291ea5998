package hdlgen

import "strings"

// The controller's registered block geometry (swat_ctrl, not the
// overlapped one): the block's rows, its last row r1 where the
// controller reads it (NeedR1), the window's first key lo (SWAT) and last
// key hi (SWAT and flash), each with a copy for the next block.

// GeoR1x is the Verilog call of geo_r1x, r1 + 1 of the block at row (a
// global block when glob; the function has no glob input without global
// tokens).
func (p *params) GeoR1x(row, glob string) string {
	if p.NGlobal > 0 {
		return "geo_r1x(" + row + ", " + glob + ")"
	}
	return "geo_r1x(" + row + ")"
}

// GeoRegs is the concatenation of the geometry registers, or with next
// their next block's copies.
func (p *params) GeoRegs(next bool) string {
	rows, nx := "rows_q", ""
	if next {
		rows, nx = "rows_nx", "_nx"
	}
	regs := []string{rows}
	if p.NeedR1() {
		regs = append(regs, "r1"+nx)
	}
	if p.Win() && !p.Flash {
		regs = append(regs, "lo"+nx)
	}
	if p.Win() {
		regs = append(regs, "hi"+nx)
	}
	return "{" + strings.Join(regs, ", ") + "}"
}

// GeoValues is the concatenation of the geometry of the block at row
// (global when glob), in GeoRegs' order, its rows from the KEY_BITS-wide
// wire rows.
func (p *params) GeoValues(rows, row, glob string) string {
	r1 := p.GeoR1x(row, glob) + " - K_ONE"
	vals := []string{fit(p.CntW, p.KW, rows)}
	if p.NeedR1() {
		vals = append(vals, r1)
	}
	if p.Win() && !p.Flash {
		vals = append(vals, "geo_lo("+row+")")
	}
	if p.Win() {
		vals = append(vals, "geo_hi("+r1+")")
	}
	return "{" + strings.Join(vals, ", ") + "}"
}
