package traces

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/reference"
)

// Output is one array to write: WriteAll writes several at once.
type Output struct {
	Path  string
	Shape []int
	Data  []float64
	DType string // float64, float32, float16, int8, int16 or int32
}

// WriteTensor writes t as a float64 .npy file of shape [N, D] (rank 2) or
// [H, N, D] (rank 3), atomically.
func WriteTensor(path string, t *reference.Tensor) error {
	if t == nil {
		return fmt.Errorf("%s: nil tensor", path)
	}
	if t.Rank != 2 && t.Rank != 3 {
		return fmt.Errorf("%s: tensor rank %d; allowed 2 [N,D] or 3 [H,N,D]", path, t.Rank)
	}
	if t.Rank == 2 && t.H != 1 {
		return fmt.Errorf("%s: rank-2 tensor with H = %d; want 1", path, t.H)
	}
	return WriteArray(path, t.Shape(), t.Data, "float64")
}

// WriteArray writes data of the given shape (rank 1 to 4, C order) as a
// .npy file of element type dtype: float64, float32, float16, int8, int16
// or int32. Integers are rounded half to even; a value that the dtype
// cannot hold (out of range, or NaN/Inf for an integer type) is an error
// naming its index. The file is written atomically.
func WriteArray(path string, shape []int, data []float64, dtype string) error {
	return WriteAll(Output{Path: path, Shape: shape, Data: data, DType: dtype})
}

// WriteAll writes every output or none: each is checked and staged in a
// temporary file (internal/outfile), and only when all are complete are
// they put in place. On error no temporary file remains, and no output is
// left behind unless a rename itself failed halfway (then the ones already
// renamed are removed). Character devices and pipes are written through,
// never replaced.
func WriteAll(outs ...Output) error {
	files, err := StageAll(outs...)
	if err != nil {
		return err
	}
	return outfile.Commit(files...)
}

// StageAll checks and stages every output (see WriteAll) for a caller
// that commits them with its other outputs.
func StageAll(outs ...Output) ([]*outfile.File, error) {
	dts := make([]dtype, len(outs))
	for i, o := range outs {
		var err error
		if dts[i], err = checkOutput(o); err != nil {
			return nil, fmt.Errorf("%s: %w", o.Path, err)
		}
	}
	var files []*outfile.File
	for i, o := range outs {
		f, err := stageArray(o, dts[i])
		if err != nil {
			outfile.Discard(files...)
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// float16MaxRound is the smallest magnitude that rounds to a binary16
// infinity: 65504 + half an ulp (32).
const float16MaxRound = 65520

// checkOutput validates the shape, the dtype and every value.
func checkOutput(o Output) (dtype, error) {
	dt, err := dtypeByName(o.DType)
	if err != nil {
		return dt, err
	}
	if len(o.Shape) < 1 || len(o.Shape) > MaxRank {
		return dt, fmt.Errorf("shape %v: rank %d; allowed ranks are 1 to %d", o.Shape, len(o.Shape), MaxRank)
	}
	for _, d := range o.Shape {
		if d < 0 {
			return dt, fmt.Errorf("shape %v: dimension %d is negative", o.Shape, d)
		}
	}
	n, ok := elements(o.Shape, int64(len(o.Data)))
	if !ok || n != int64(len(o.Data)) {
		return dt, fmt.Errorf("shape %v does not match the data: %d elements", o.Shape, len(o.Data))
	}
	switch dt.name {
	case "float32":
		for i, x := range o.Data {
			if !math.IsInf(x, 0) && math.IsInf(float64(float32(x)), 0) {
				return dt, fmt.Errorf("element %d = %g: out of float32 range (|x| <= %g)", i, x, math.MaxFloat32)
			}
		}
	case "float16":
		for i, x := range o.Data {
			// float16MaxRound is where round-to-nearest reaches infinity.
			if a := math.Abs(x); a >= float16MaxRound && !math.IsInf(a, 0) {
				return dt, fmt.Errorf("element %d = %g: out of float16 range (|x| <= 65504)", i, x)
			}
		}
	case "int8", "int16", "int32":
		bits := 8 * dt.size
		lo, hi := -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)-1
		for i, x := range o.Data {
			if r := math.RoundToEven(x); math.IsNaN(x) || r < lo || r > hi {
				return dt, fmt.Errorf("element %d = %g: out of %s range [%g, %g]", i, x, dt.name, lo, hi)
			}
		}
	}
	return dt, nil
}

// stageArray writes o to a staged output file.
func stageArray(o Output, dt dtype) (*outfile.File, error) {
	f, err := outfile.Create(o.Path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, chunk)
	err = errors.Join(writeHeader(w, dt, o.Shape), writeData(w, dt, o.Data))
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		outfile.Discard(f)
		return nil, fmt.Errorf("%s: %w", o.Path, err)
	}
	return f, nil
}

// header returns the .npy version 1.0 preamble and header, padded with
// spaces and a newline to a multiple of 64 bytes as numpy writes it.
func header(dt dtype, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	s := strings.Join(dims, ", ")
	if len(shape) == 1 {
		s += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dt.descr, s)
	pad := 63 - (10+len(h))%64
	h += strings.Repeat(" ", pad) + "\n"
	b := append([]byte{}, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(b, h...)
}

func writeHeader(w io.Writer, dt dtype, shape []int) error {
	_, err := w.Write(header(dt, shape))
	return err
}

// writeData encodes data (already checked by checkOutput).
func writeData(w io.Writer, dt dtype, data []float64) error {
	buf := make([]byte, 0, chunk)
	per := chunk / dt.size
	for lo := 0; lo < len(data); lo += per {
		b, part := buf[:0], data[lo:min(len(data), lo+per)]
		switch dt.name {
		case "float64":
			for _, x := range part {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
			}
		case "float32":
			for _, x := range part {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
			}
		case "float16":
			for _, x := range part {
				b = binary.LittleEndian.AppendUint16(b, reference.Float16FromFloat64(x))
			}
		case "int8":
			for _, x := range part {
				b = append(b, byte(int8(math.RoundToEven(x))))
			}
		case "int16":
			for _, x := range part {
				b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.RoundToEven(x))))
			}
		case "int32":
			for _, x := range part {
				b = binary.LittleEndian.AppendUint32(b, uint32(int32(math.RoundToEven(x))))
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
