package sim

import (
	"math"

	"github.com/sarchlab/akita/v3/mem/idealmemcontroller"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim/bwmem"
)

// memorySystem is the off-chip memory as the loaders see it.
type memorySystem struct {
	ports      []akita.Port
	route      func(addr uint64) akita.Port
	bw         *bwmem.Comp
	ideal      *idealmemcontroller.Comp
	storage    *mem.Storage   // one storage (ideal, bandwidth)
	chStorage  []*mem.Storage // per-channel storages (dram), internal addresses
	interleave uint64
	functional bool
}

// store writes data at a global address.
func (ms *memorySystem) store(addr uint64, data []byte) error {
	if ms.chStorage != nil {
		return ms.dramStore(addr, data)
	}
	return ms.storage.Write(addr, data)
}

// load reads size bytes at a global address.
func (ms *memorySystem) load(addr, size uint64) ([]byte, error) {
	if ms.chStorage != nil {
		return ms.dramLoad(addr, size)
	}
	return ms.storage.Read(addr, size)
}

// scratchBytes is the storage a timing-only run gives Akita's ideal
// controller: every address folds into it, so no run allocates its tensors.
const scratchBytes = 16 << 20

// foldConverter folds every address into the scratch storage.
type foldConverter struct{}

func (foldConverter) ConvertExternalToInternal(a uint64) uint64 { return a % scratchBytes }
func (foldConverter) ConvertInternalToExternal(a uint64) uint64 { return a }

// buildMemory builds the memory of the design point. Functional runs keep
// data in storage. Kind ideal is Akita's ideal controller (fixed latency,
// no bandwidth limit); hbm2 and ddr4 are the bandwidth controller.
func buildMemory(e akita.Engine, d *dataflow.Design, functional bool) *memorySystem {
	m := d.Memory
	if m.Model == "dram" {
		return buildDRAM(e, d, d.HW.BurstBytes, functional)
	}
	ms := &memorySystem{functional: functional}
	var storage *mem.Storage
	if functional {
		storage = mem.NewStorage(1 << 40)
		ms.storage = storage
	}
	if m.Kind == "ideal" {
		b := idealmemcontroller.MakeBuilder().WithEngine(e).WithFreq(1 * akita.GHz).
			WithLatency(int(math.Round(m.LatencyNs))).WithTopBufSize(256).WithWidth(64)
		if storage != nil {
			b = b.WithStorage(storage)
		} else {
			b = b.WithNewStorage(scratchBytes).WithAddressConverter(foldConverter{})
		}
		ms.ideal = b.Build("Memory")
		ms.ports = []akita.Port{ms.ideal.GetPortByName("Top")}
	} else {
		bw := m.ChannelGBps * 1e9
		b := bwmem.MakeBuilder().WithEngine(e).WithFreq(akita.Freq(d.ClockHz())).
			WithChannels(m.Channels, bw).WithLatency(m.LatencyNs * 1e-9).
			WithInterleave(uint64(m.InterleaveB))
		if storage != nil {
			b = b.WithStorage(storage)
		}
		ms.bw = b.Build("Memory")
		ms.ports = []akita.Port{ms.bw.TopPort()}
	}
	ms.route = func(uint64) akita.Port { return ms.ports[0] }
	return ms
}
