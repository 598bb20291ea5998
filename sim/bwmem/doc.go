// Package bwmem provides an event-sparse off-chip memory controller for
// long runs: channels interleaved by address, each serving bytes at a fixed
// bandwidth after a fixed latency, one event per request. It speaks Akita's
// mem protocol (ReadReq/WriteReq in, DataReadyRsp/WriteDoneRsp out) and
// keeps real data in an Akita mem.Storage in functional mode.
package bwmem
