package dataflow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MemorySystem is one kind of off-chip memory a card carries.
type MemorySystem struct {
	Kind        string  `json:"kind"`         // hbm2, ddr4 or ideal
	Channels    int     `json:"channels"`     // independent channels (HBM pseudo-channels)
	ChannelGBps float64 `json:"channel_gbps"` // per channel, GB/s (1e9 B/s)
	LatencyNs   float64 `json:"latency_ns"`   // unloaded read latency
}

// Device is one card of the catalogue: its FPGA's resources, its memory
// systems, its host link and its power figures. docs/devices.md names the
// public source of every number.
type Device struct {
	Name          string         `json:"name"`
	Part          string         `json:"part"`
	Family        string         `json:"family"` // the resource formulas' family: xcup (UltraScale+) or xc7
	LUT           int            `json:"lut"`    // 0 everywhere: no limit (custom)
	FF            int            `json:"ff"`
	DSP           int            `json:"dsp"`
	BRAM36        int            `json:"bram36"`
	URAM          int            `json:"uram"`
	Memories      []MemorySystem `json:"memories"` // the first is the default memory.kind
	HostGBps      float64        `json:"host_gbps"`
	HostLatencyNs float64        `json:"host_latency_ns"`
	PowerLimitW   float64        `json:"power_limit_w"` // maximum board power (0: none)
	StaticW       float64        `json:"static_w"`      // static and board idle power
}

// Limited reports whether the device has resource limits (custom has none).
func (v *Device) Limited() bool { return v.LUT > 0 }

// Memory returns the device's memory system of the given kind.
func (v *Device) Memory(kind string) (MemorySystem, bool) {
	for _, m := range v.Memories {
		if m.Kind == kind {
			return m, true
		}
	}
	return MemorySystem{}, false
}

func (v *Device) kinds() []string {
	var k []string
	for _, m := range v.Memories {
		k = append(k, m.Kind)
	}
	return k
}

// Memory figures shared by the cards (docs/devices.md): an HBM2
// pseudo-channel of the Alveo HBM subsystem, a DDR4-2400 64-bit channel,
// and the PCIe Gen3 x16 host link.
var (
	hbm2PC   = MemorySystem{Kind: "hbm2", Channels: 32, ChannelGBps: 14.375, LatencyNs: 120}
	ddr4Chan = MemorySystem{Kind: "ddr4", ChannelGBps: 19.25, LatencyNs: 100}
	idealMem = MemorySystem{Kind: "ideal", Channels: 1, ChannelGBps: 1e5, LatencyNs: 120}
)

func withChannels(m MemorySystem, n int) MemorySystem { m.Channels = n; return m }

// devices is the embedded catalogue.
var devices = map[string]Device{
	"custom": {Name: "custom", Part: "unconstrained", Family: "xc7",
		Memories: []MemorySystem{withChannels(hbm2PC, 8), withChannels(ddr4Chan, 2), idealMem},
		HostGBps: 16, HostLatencyNs: 1000, StaticW: 20},
	"u55c": {Name: "u55c", Family: "xcup", Part: "xcu55c (VU47P class)", LUT: 1303680, FF: 2607360, DSP: 9024, BRAM36: 2016, URAM: 960,
		Memories: []MemorySystem{hbm2PC, idealMem},
		HostGBps: 15.75, HostLatencyNs: 1000, PowerLimitW: 150, StaticW: 20},
	"u280": {Name: "u280", Family: "xcup", Part: "xcu280 (VU37P class)", LUT: 1303680, FF: 2607360, DSP: 9024, BRAM36: 2016, URAM: 960,
		Memories: []MemorySystem{hbm2PC, withChannels(ddr4Chan, 2), idealMem},
		HostGBps: 15.75, HostLatencyNs: 1000, PowerLimitW: 225, StaticW: 25},
	"u250": {Name: "u250", Family: "xcup", Part: "xcu250 (VU13P class)", LUT: 1728000, FF: 3456000, DSP: 12288, BRAM36: 2688, URAM: 1280,
		Memories: []MemorySystem{withChannels(ddr4Chan, 4), idealMem},
		HostGBps: 15.75, HostLatencyNs: 1000, PowerLimitW: 225, StaticW: 30},
}

// DeviceNames lists the catalogue, sorted.
func DeviceNames() []string { return slices.Sorted(maps.Keys(devices)) }

// LookupDevice returns the catalogue card of the given name.
func LookupDevice(name string) (Device, error) {
	v, ok := devices[name]
	if !ok {
		return Device{}, fmt.Errorf("device = %q: must be one of %s", name, strings.Join(DeviceNames(), ", "))
	}
	v.Memories = append([]MemorySystem(nil), v.Memories...)
	return v, nil
}

// Card is the design's catalogue card (device must be valid: Validate
// checks it).
func (d *Design) Card() Device {
	v, _ := LookupDevice(d.Device)
	return v
}

// resolveDevice fills the fields the design leaves at 0 (or "") from its
// card: memory.kind (the card's first memory), memory.channels,
// memory.channel_gbps, memory.latency_ns (the card's memory of that kind),
// memory.host_gbps, memory.host_latency_ns and energy.static_w. A field set
// explicitly keeps its value.
func (d *Design) resolveDevice() error {
	if d.Device == "" {
		d.Device = "custom"
	}
	v, err := LookupDevice(d.Device)
	if err != nil {
		return err
	}
	m := &d.Memory
	if m.Kind == "" {
		m.Kind = v.Memories[0].Kind
	}
	ms, ok := v.Memory(m.Kind)
	if !ok {
		return fmt.Errorf("memory.kind = %q: must be one of %s (the memories of device %s)", m.Kind, strings.Join(v.kinds(), ", "), v.Name)
	}
	setInt(&m.Channels, ms.Channels)
	setFloat(&m.ChannelGBps, ms.ChannelGBps)
	setFloat(&m.LatencyNs, ms.LatencyNs)
	setFloat(&m.HostGBps, v.HostGBps)
	setFloat(&m.HostLatencyNs, v.HostLatencyNs)
	setFloat(&d.Energy.StaticW, v.StaticW)
	return nil
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setFloat(p *float64, v float64) {
	if *p == 0 {
		*p = v
	}
}
