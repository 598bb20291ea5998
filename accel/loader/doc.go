// Package loader provides the DMA loader: an Akita component that walks a
// plan of row ranges in stream order, reads them from memory in bursts of
// whole rows, and pushes the rows, in order, into a stream FIFO in front of
// the core, never holding more rows than the FIFO can take.
package loader
