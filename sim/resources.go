package sim

import (
	"fmt"
	"strconv"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// Resources is the formula estimate of the accelerator's FPGA resources
// (all cores): the per-core formulas of package resource for the device's
// family (xcup on the UltraScale+ cards, xc7 on custom), fitted to and
// validated against Yosys's synthesis of the generated Verilog, times
// hw.cores. With
// hw.buffer_memory = uram the K/V ring and pinned buffers that the
// formulas put in BRAM (every BRAM of the core) go to UltraRAM instead.
type Resources = resource.Resources

// EstimateResources estimates the resources of a design point's cores.
func EstimateResources(d *dataflow.Design) (Resources, error) {
	fam, err := resource.ParseFamily(d.Card().Family)
	if err != nil {
		return Resources{}, fmt.Errorf("device %s: %w", d.Device, err)
	}
	out, err := resource.EstimateFor(d, fam)
	if err != nil {
		return Resources{}, err
	}
	if d.HW.BufferMem == "uram" {
		out.BRAM36 = 0
		for _, depth := range bufferDepths(d) {
			if depth > lutramMaxRows {
				out.URAM += uram288(depth, d.Model.HeadDim*inBits(d))
			}
		}
	}
	n := d.HW.Cores
	out.DSP, out.BRAM36, out.URAM, out.LUT, out.LUTRAM, out.FF = n*out.DSP, float64(n)*out.BRAM36, n*out.URAM, n*out.LUT, n*out.LUTRAM, n*out.FF
	return out, nil
}

// bufferDepths lists the core's K/V buffers: the K and V rings and, when
// there are pinned keys, the K and V pinned buffers (SWAT only).
func bufferDepths(d *dataflow.Design) []int {
	if d.Arch != dataflow.ArchSWAT {
		return nil
	}
	b := []int{d.KVBufRows(), d.KVBufRows()}
	if pin := d.PinnedRows(); pin > 0 {
		b = append(b, pin, pin)
	}
	return b
}

// lutramMaxRows is the deepest buffer the estimate keeps in LUTRAM.
const lutramMaxRows = resource.LUTRAMMaxRows

// uram288 is the UltraRAM blocks (4,096 x 72 bits each, cascaded) of a
// depth x width buffer.
func uram288(depth, width int) int { return ceilDiv(depth, 4096) * ceilDiv(width, 72) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func inBits(d *dataflow.Design) int {
	a, _ := d.ArithSpec()
	return a.InBits
}

// Utilization is the share of a device's resources a design uses.
type Utilization struct {
	LUT    float64 `json:"lut"`
	FF     float64 `json:"ff"`
	DSP    float64 `json:"dsp"`
	BRAM36 float64 `json:"bram36"`
	URAM   float64 `json:"uram"`
}

// Utilize returns the design's share of each of the device's resources
// (LUTs include LUTRAM) and whether every share is at most 1. A device
// without limits (custom) reports zeros and fits.
func Utilize(v dataflow.Device, r Resources) (Utilization, bool) {
	if !v.Limited() {
		return Utilization{}, true
	}
	u := Utilization{
		LUT: float64(r.LUT+r.LUTRAM) / float64(v.LUT), FF: float64(r.FF) / float64(v.FF),
		DSP: float64(r.DSP) / float64(v.DSP), BRAM36: r.BRAM36 / float64(v.BRAM36), URAM: float64(r.URAM) / float64(v.URAM),
	}
	return u, u.LUT <= 1 && u.FF <= 1 && u.DSP <= 1 && u.BRAM36 <= 1 && u.URAM <= 1
}

// CheckFit returns an error naming the first resource the design's
// estimate needs beyond its device, its need and the device's amount.
func CheckFit(d *dataflow.Design) error {
	v := d.Card()
	if !v.Limited() {
		return nil
	}
	r, err := EstimateResources(d)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name       string
		need, have float64
	}{
		{"LUT", float64(r.LUT + r.LUTRAM), float64(v.LUT)}, {"FF", float64(r.FF), float64(v.FF)},
		{"DSP", float64(r.DSP), float64(v.DSP)}, {"BRAM36", r.BRAM36, float64(v.BRAM36)}, {"URAM", float64(r.URAM), float64(v.URAM)},
	} {
		if c.need > c.have {
			return fmt.Errorf("device %s: the design needs %s %s (hw.cores = %d), the device has %s; shrink hw.pes, hw.vector_width or hw.cores, or pass --allow-overfit",
				v.Name, plainNumber(c.need), c.name, d.HW.Cores, plainNumber(c.have))
		}
	}
	return nil
}

// plainNumber prints a resource count in full ("23373600", "12.5"), never
// in exponent form.
func plainNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
