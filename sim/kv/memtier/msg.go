package memtier

import "github.com/sarchlab/akita/v3/sim"

// TransferReq asks a tier to move PerChannel[c] bytes on each channel c.
type TransferReq struct {
	sim.MsgMeta
	PerChannel []int64
	Tag        int // the requester's label, returned in the response
}

// Meta returns the message's meta data.
func (r *TransferReq) Meta() *sim.MsgMeta { return &r.MsgMeta }

// TransferRsp reports that a TransferReq completed at Done.
type TransferRsp struct {
	sim.MsgMeta
	RspTo string
	Tag   int
	Bytes int64
	Done  sim.VTimeInSec // when the last byte arrived at the tier's port
}

// Meta returns the message's meta data.
func (r *TransferRsp) Meta() *sim.MsgMeta { return &r.MsgMeta }

// GetRspTo returns the ID of the request this responds to.
func (r *TransferRsp) GetRspTo() string { return r.RspTo }

// NewTransferReq builds a request from src to dst sent at now.
func NewTransferReq(src, dst sim.Port, now sim.VTimeInSec, perChannel []int64, tag int) *TransferReq {
	r := &TransferReq{PerChannel: perChannel, Tag: tag}
	r.ID = sim.GetIDGenerator().Generate()
	r.Src, r.Dst, r.SendTime = src, dst, now
	for _, b := range perChannel {
		r.TrafficBytes += int(b)
	}
	return r
}
