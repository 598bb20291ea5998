package sim

import (
	"fmt"

	"github.com/sarchlab/akita/v3/mem/dram"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/dataflow"
)

// dramTiming is one protocol's device timing in DRAM clock cycles.
// Akita's builder keeps DDR3 timings unless told otherwise, so every
// field is set explicitly.
type dramTiming struct {
	protocol                                    dram.Protocol
	freq                                        akita.Freq
	busWidth, burstLength, banks, bankGroups    int
	cl, cwl, rcd, rcdrd, rcdwr, rp, ras, ccdl   int
	ccds, rtp, wr, wtrl, wtrs, rrdl, rrds, refi int
	rfc, rfcb                                   int
}

// hbm2Timing is an HBM2 pseudo channel (64-bit at 1 GHz DDR: 16 GB/s),
// after DRAMsim3's HBM2_8Gb_x128 configuration, except tRCDWR: Akita v3's
// bank model holds a bank for tRCDRD after every activate, so a shorter
// tRCDWR (10 in DRAMsim3) lets its timing table issue a write into a busy
// bank and panic; tRCDWR = tRCDRD = 14 keeps it consistent.
var hbm2Timing = dramTiming{protocol: dram.HBM2, freq: 1 * akita.GHz, busWidth: 64, burstLength: 4,
	banks: 4, bankGroups: 4, cl: 14, cwl: 4, rcd: 14, rcdrd: 14, rcdwr: 14, rp: 14, ras: 34, ccdl: 4,
	ccds: 2, rtp: 5, wr: 16, wtrl: 9, wtrs: 4, rrdl: 6, rrds: 4, refi: 3900, rfc: 260, rfcb: 160}

// ddr4Timing is a DDR4-2400 x64 channel (19.2 GB/s), JEDEC 8 Gb speed bin
// 2400R: CL 16, tRCD 16, tRP 16, tRAS 39.
var ddr4Timing = dramTiming{protocol: dram.DDR4, freq: 1200 * akita.MHz, busWidth: 64, burstLength: 8,
	banks: 4, bankGroups: 4, cl: 16, cwl: 12, rcd: 16, rcdrd: 16, rcdwr: 16, rp: 16, ras: 39, ccdl: 6,
	ccds: 4, rtp: 9, wr: 18, wtrl: 9, wtrs: 3, rrdl: 6, rrds: 4, refi: 9360, rfc: 420, rfcb: 280}

// buildDRAM builds one Akita DRAM controller per memory channel, the
// channels interleaved by memory.interleave_bytes.
func buildDRAM(e akita.Engine, d *dataflow.Design, burstBytes int, functional bool) *memorySystem {
	m := d.Memory
	t := map[string]dramTiming{"hbm2": hbm2Timing, "ddr4": ddr4Timing}[m.Kind]
	ms := &memorySystem{interleave: uint64(m.InterleaveB), functional: functional}
	access := t.busWidth / 8 * t.burstLength
	for ch := 0; ch < m.Channels; ch++ {
		st := mem.NewStorage(1 << 40)
		ms.chStorage = append(ms.chStorage, st)
		c := dram.MakeBuilder().WithGlobalStorage(st).WithEngine(e).WithFreq(t.freq).WithProtocol(t.protocol).
			WithBusWidth(t.busWidth).WithBurstLength(t.burstLength).WithNumBank(t.banks).
			WithNumBankGroup(t.bankGroups).WithNumRank(1).WithDeviceWidth(t.busWidth).
			WithTransactionQueueSize(max(64, 2*burstBytes/access)).WithCommandQueueSize(16).
			WithTCL(t.cl).WithTCWL(t.cwl).WithTRCD(t.rcd).WithTRCDRD(t.rcdrd).WithTRCDWR(t.rcdwr).
			WithTRP(t.rp).WithTRAS(t.ras).WithTCCDL(t.ccdl).WithTCCDS(t.ccds).WithTRTP(t.rtp).
			WithTWR(t.wr).WithTWTRL(t.wtrl).WithTWTRS(t.wtrs).WithTRRDL(t.rrdl).WithTRRDS(t.rrds).
			WithTREFI(t.refi).WithRFC(t.rfc).WithRFCb(t.rfcb).
			WithInterleavingAddrConversion(uint64(m.InterleaveB), m.Channels, ch, 0, 1<<48).
			Build(fmt.Sprintf("Memory.DRAM[%d]", ch))
		ms.ports = append(ms.ports, c.GetPortByName("Top"))
	}
	il, n := uint64(m.InterleaveB), uint64(m.Channels)
	ms.route = func(addr uint64) akita.Port { return ms.ports[addr/il%n] }
	return ms
}

// eachChunk calls f for every interleave granule of [addr, addr+size):
// the storage of its channel, its internal address there, its offset from
// addr and its length.
func (ms *memorySystem) eachChunk(addr, size uint64, f func(st *mem.Storage, internal, off, n uint64) error) error {
	il, chans := ms.interleave, len(ms.chStorage)
	for off := uint64(0); off < size; {
		a := addr + off
		n := min(size-off, il-a%il)
		ch := int(a / il % uint64(chans))
		in := mem.InterleavingConverter{InterleavingSize: il, TotalNumOfElements: chans, CurrentElementIndex: ch}
		if err := f(ms.chStorage[ch], in.ConvertExternalToInternal(a), off, n); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// dramStore writes data at a global address into the channels' storages.
func (ms *memorySystem) dramStore(addr uint64, data []byte) error {
	return ms.eachChunk(addr, uint64(len(data)), func(st *mem.Storage, in, off, n uint64) error {
		return st.Write(in, data[off:off+n])
	})
}

// dramLoad reads size bytes at a global address from the channels.
func (ms *memorySystem) dramLoad(addr, size uint64) ([]byte, error) {
	out := make([]byte, 0, size)
	err := ms.eachChunk(addr, size, func(st *mem.Storage, in, _, n uint64) error {
		b, err := st.Read(in, n)
		out = append(out, b...)
		return err
	})
	return out, err
}
