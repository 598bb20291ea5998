package hdlgen

import "strings"

// The controller's registered block geometry (swat_ctrl, not the
// overlapped one) is resource.Params.Geometry: the FF estimate counts
// the same registers the Verilog declares.

// GeoR1x is the Verilog call of geo_r1x, r1 + 1 of the block at row (a
// global block when glob; the function has no glob input without global
// tokens).
func (p *params) GeoR1x(row, glob string) string {
	if p.NGlobal > 0 {
		return "geo_r1x(" + row + ", " + glob + ")"
	}
	return "geo_r1x(" + row + ")"
}

// GeoRegs is the concatenation of the geometry registers
// (resource.Params.Geometry), or with next their next block's copies.
func (p *params) GeoRegs(next bool) string {
	var regs []string
	for _, f := range p.Geometry() {
		switch {
		case f.Name == "rows" && next:
			regs = append(regs, "rows_nx")
		case f.Name == "rows":
			regs = append(regs, "rows_q")
		case next:
			regs = append(regs, f.Name+"_nx")
		default:
			regs = append(regs, f.Name)
		}
	}
	return "{" + strings.Join(regs, ", ") + "}"
}

// GeoValues is the concatenation of the geometry of the block at row
// (global when glob), in GeoRegs' order, its rows from the KEY_BITS-wide
// wire rows.
func (p *params) GeoValues(rows, row, glob string) string {
	r1 := p.GeoR1x(row, glob) + " - K_ONE"
	value := map[string]string{
		"rows": fit(p.CntW, p.KW, rows),
		"r1":   r1,
		"lo":   "geo_lo(" + row + ")",
		"hi":   "geo_hi(" + r1 + ")",
	}
	var vals []string
	for _, f := range p.Geometry() {
		vals = append(vals, value[f.Name])
	}
	return "{" + strings.Join(vals, ", ") + "}"
}
