package traces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/swatsim/swatsim/reference"
)

// MaxRank is the largest array rank read or written: [L, H, N, D].
const MaxRank = 4

// maxHeaderLen bounds the .npy header (numpy itself refuses headers above
// 10000 bytes unless told otherwise).
const maxHeaderLen = 1 << 20

// Array is an array read from or written to a .npy file, with its elements
// converted to float64. Data is in C (row-major) order.
type Array struct {
	Shape []int
	Data  []float64
	DType string // float64, float32, float16, int8, int16 or int32: the element type in the file

	name string // the file it came from, for error messages
}

// dtype is an element type this package reads and writes.
type dtype struct {
	name  string // float64 ...
	descr string // the little-endian numpy descr written to headers
	size  int    // bytes per element
}

var dtypes = []dtype{
	{"float64", "<f8", 8}, {"float32", "<f4", 4}, {"float16", "<f2", 2},
	{"int8", "|i1", 1}, {"int16", "<i2", 2}, {"int32", "<i4", 4},
}

// DTypes lists the element types, as accepted by WriteArray.
func DTypes() []string {
	names := make([]string, len(dtypes))
	for i, d := range dtypes {
		names[i] = d.name
	}
	return names
}

func dtypeByName(name string) (dtype, error) {
	for _, d := range dtypes {
		if d.name == name {
			return d, nil
		}
	}
	return dtype{}, fmt.Errorf("dtype %q: not supported; allowed: %s", name, strings.Join(DTypes(), ", "))
}

func dtypeByDescr(descr string) (dtype, error) {
	if descr == "<i1" { // numpy writes |i1, but < is equally valid for one byte
		descr = "|i1"
	}
	for _, d := range dtypes {
		if d.descr == descr {
			return d, nil
		}
	}
	allowed := "<f8, <f4, <f2, |i1, <i2, <i4 (little-endian float64, float32, float16, int8, int16, int32)"
	if strings.HasPrefix(descr, ">") {
		return dtype{}, fmt.Errorf("dtype %q: big-endian data is not supported; allowed: %s", descr, allowed)
	}
	return dtype{}, fmt.Errorf("dtype %q: not supported; allowed: %s", descr, allowed)
}

// ReadArray reads a .npy file of rank 1 to 4 whose elements are float64,
// float32, float16, int8, int16 or int32 (little-endian, C order) and
// converts them to float64. A malformed file gives an error naming the
// file and the problem; the header is checked against the file size before
// the data are allocated.
func ReadArray(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	size := st.Size()
	if !st.Mode().IsRegular() { // a pipe or device: its size is what it holds
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r, size = bytes.NewReader(b), int64(len(b))
	}
	a, err := decode(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a.name = path
	return a, nil
}

// ReadTensor reads a .npy file of shape [N, D] or [H, N, D] as a Tensor.
func ReadTensor(path string) (*reference.Tensor, error) {
	a, err := ReadArray(path)
	if err != nil {
		return nil, err
	}
	return a.Tensor()
}

// Tensor returns a rank-2 [N, D] or rank-3 [H, N, D] array as a Tensor
// sharing its data.
func (a *Array) Tensor() (*reference.Tensor, error) {
	if len(a.Shape) != 2 && len(a.Shape) != 3 {
		hint := ""
		if len(a.Shape) == 4 {
			hint = "; a rank-4 [L,H,N,D] trace needs a layer selected"
		}
		return nil, a.errorf("shape %v (%s): a tensor must be rank 2 [N,D] or rank 3 [H,N,D]%s", a.Shape, a.DType, hint)
	}
	for _, d := range a.Shape {
		if d < 1 {
			return nil, a.errorf("shape %v: every dimension of a tensor must be >= 1", a.Shape)
		}
	}
	if len(a.Shape) == 2 {
		return &reference.Tensor{H: 1, N: a.Shape[0], D: a.Shape[1], Rank: 2, Data: a.Data}, nil
	}
	return &reference.Tensor{H: a.Shape[0], N: a.Shape[1], D: a.Shape[2], Rank: 3, Data: a.Data}, nil
}

// Layer returns layer l of a rank-4 [L, H, N, D] array as an [H, N, D]
// Tensor sharing the array's data.
func (a *Array) Layer(l int) (*reference.Tensor, error) {
	if len(a.Shape) != 4 {
		return nil, a.errorf("shape %v: selecting a layer needs a rank-4 [L,H,N,D] array", a.Shape)
	}
	if l < 0 || l >= a.Shape[0] {
		return nil, a.errorf("layer %d: out of range; allowed 0 to %d (shape %v)", l, a.Shape[0]-1, a.Shape)
	}
	h, n, d := a.Shape[1], a.Shape[2], a.Shape[3]
	if h < 1 || n < 1 || d < 1 {
		return nil, a.errorf("shape %v: every dimension of a tensor must be >= 1", a.Shape)
	}
	sz := h * n * d
	return &reference.Tensor{H: h, N: n, D: d, Rank: 3, Data: a.Data[l*sz : (l+1)*sz : (l+1)*sz]}, nil
}

func (a *Array) errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if a.name != "" {
		return fmt.Errorf("%s: %w", a.name, err)
	}
	return err
}

var npyMagic = []byte("\x93NUMPY")

// decode reads a whole .npy stream of size bytes.
func decode(r io.Reader, size int64) (*Array, error) {
	var pre [12]byte
	if size < 10 {
		return nil, fmt.Errorf("not a .npy file: %d bytes, shorter than the 10-byte preamble", size)
	}
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, fmt.Errorf("reading the .npy preamble: %w", err)
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return nil, fmt.Errorf("not a .npy file: magic %q, want %q", pre[:6], npyMagic)
	}
	major, minor := pre[6], pre[7]
	var hlen, preLen int64
	switch {
	case major == 1 && minor == 0:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, fmt.Errorf("reading the .npy preamble: %w", err)
		}
		hlen, preLen = int64(binary.LittleEndian.Uint16(pre[8:])), 10
	case (major == 2 || major == 3) && minor == 0:
		if size < 12 {
			return nil, fmt.Errorf("truncated .npy preamble: %d bytes, version %d.0 needs 12", size, major)
		}
		if _, err := io.ReadFull(r, pre[8:12]); err != nil {
			return nil, fmt.Errorf("reading the .npy preamble: %w", err)
		}
		hlen, preLen = int64(binary.LittleEndian.Uint32(pre[8:])), 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d: not supported; allowed 1.0, 2.0, 3.0", major, minor)
	}
	if hlen > size-preLen {
		return nil, fmt.Errorf("truncated .npy header: it declares %d bytes, the file has %d after the preamble", hlen, size-preLen)
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf(".npy header of %d bytes: larger than the %d-byte limit", hlen, maxHeaderLen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("reading the .npy header: %w", err)
	}
	descr, fortran, shape, err := parseHeader(string(hdr))
	if err != nil {
		return nil, err
	}
	dt, err := dtypeByDescr(descr)
	if err != nil {
		return nil, err
	}
	if len(shape) < 1 || len(shape) > MaxRank {
		return nil, fmt.Errorf("shape %v: rank %d; allowed ranks are 1 to %d", shape, len(shape), MaxRank)
	}
	if fortran && len(shape) > 1 {
		return nil, fmt.Errorf("shape %v: Fortran-order (column-major) arrays are not supported; save a C-order array (numpy.ascontiguousarray)", shape)
	}
	avail := size - preLen - hlen
	count, ok := elements(shape, math.MaxInt64/int64(dt.size))
	if !ok {
		return nil, fmt.Errorf("shape %v of %s: its size overflows 64 bits (the file has %d bytes after the header)", shape, dt.name, avail)
	}
	if need := count * int64(dt.size); need != avail {
		if need > avail {
			return nil, fmt.Errorf("truncated data: shape %v of %s needs %d bytes, the file has %d after the header", shape, dt.name, need, avail)
		}
		return nil, fmt.Errorf("shape %v of %s: %d bytes of data expected, the file has %d after the header (%d extra)", shape, dt.name, need, avail, avail-need)
	}
	a := &Array{Shape: shape, DType: dt.name, Data: make([]float64, count)}
	if err := readData(r, dt, a.Data); err != nil {
		return nil, fmt.Errorf("reading the data of shape %v (%s): %w", shape, dt.name, err)
	}
	return a, nil
}

// elements is the product of shape if it is at most limit.
func elements(shape []int, limit int64) (int64, bool) {
	for _, d := range shape {
		if d == 0 {
			return 0, true
		}
	}
	n := int64(1)
	for _, d := range shape {
		if int64(d) > limit/n {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// chunk is the number of bytes decoded at a time (a multiple of 8).
const chunk = 1 << 16

func readData(r io.Reader, dt dtype, out []float64) error {
	buf := make([]byte, min(chunk, len(out)*dt.size))
	per := chunk / dt.size
	var f16 *[1 << 16]float64
	if dt.name == "float16" {
		f16 = float16Table()
	}
	for lo := 0; lo < len(out); lo += per {
		hi := min(len(out), lo+per)
		b := buf[:(hi-lo)*dt.size]
		if _, err := io.ReadFull(r, b); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("truncated data at element %d of %d", lo, len(out))
			}
			return err
		}
		o := out[lo:hi]
		switch dt.name {
		case "float64":
			for i := range o {
				o[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		case "float32":
			for i := range o {
				o[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
			}
		case "float16":
			for i := range o {
				o[i] = f16[binary.LittleEndian.Uint16(b[2*i:])]
			}
		case "int8":
			for i := range o {
				o[i] = float64(int8(b[i]))
			}
		case "int16":
			for i := range o {
				o[i] = float64(int16(binary.LittleEndian.Uint16(b[2*i:])))
			}
		case "int32":
			for i := range o {
				o[i] = float64(int32(binary.LittleEndian.Uint32(b[4*i:])))
			}
		}
	}
	return nil
}

// float16Table decodes every binary16 code with the reference conversion.
var float16Table = sync.OnceValue(func() *[1 << 16]float64 {
	var t [1 << 16]float64
	for i := range t {
		t[i] = reference.Float16ToFloat64(uint16(i))
	}
	return &t
})

// parseHeader parses the Python dict literal of a .npy header. It is ours
// rather than npyio's because npyio v0.14.0's header reader panics on a
// header without a newline and reads a shape written without the trailing
// ", " (as some writers do) as a scalar; the tests check that npyio reads
// our files and the golden files as we do. The form accepted is
// {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } in any key
// order, with optional trailing comma and padding.
func parseHeader(h string) (descr string, fortran bool, shape []int, err error) {
	p := &hdrParser{s: strings.TrimRight(h, " \t\r\n\x00")}
	defer func() {
		if err != nil {
			snip := h
			if len(snip) > 120 {
				snip = snip[:120] + "..."
			}
			err = fmt.Errorf("malformed .npy header %q: %w", snip, err)
		}
	}()
	if err := p.expect('{'); err != nil {
		return "", false, nil, err
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			break
		}
		key, err := p.str()
		if err != nil {
			return "", false, nil, err
		}
		if seen[key] {
			return "", false, nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return "", false, nil, err
		}
		p.space()
		switch key {
		case "descr":
			if c := p.peek(); c == '[' || c == '(' || c == '{' {
				return "", false, nil, errors.New("structured dtypes are not supported; want a plain numeric dtype such as '<f8'")
			}
			if descr, err = p.str(); err != nil {
				return "", false, nil, err
			}
		case "fortran_order":
			switch {
			case strings.HasPrefix(p.s[p.i:], "True"):
				fortran, p.i = true, p.i+4
			case strings.HasPrefix(p.s[p.i:], "False"):
				fortran, p.i = false, p.i+5
			default:
				return "", false, nil, errors.New("'fortran_order' must be True or False")
			}
		case "shape":
			if shape, err = p.tuple(); err != nil {
				return "", false, nil, err
			}
		default:
			return "", false, nil, fmt.Errorf("unexpected key %q; a .npy header has exactly 'descr', 'fortran_order' and 'shape'", key)
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return "", false, nil, fmt.Errorf("want ',' or '}' at offset %d", p.i)
		}
	}
	p.space()
	if p.i != len(p.s) {
		return "", false, nil, fmt.Errorf("unexpected text after '}' at offset %d", p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return "", false, nil, fmt.Errorf("key '%s' is missing", k)
		}
	}
	return descr, fortran, shape, nil
}

type hdrParser struct {
	s string
	i int
}

func (p *hdrParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *hdrParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *hdrParser) expect(c byte) error {
	p.space()
	if p.peek() != c {
		return fmt.Errorf("want %q at offset %d", c, p.i)
	}
	p.i++
	return nil
}

// str parses a quoted string without escapes.
func (p *hdrParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("want a quoted string at offset %d", p.i)
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.i)
	}
	s := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsRune(s, '\\') {
		return "", fmt.Errorf("escape sequence in string at offset %d", p.i)
	}
	p.i += end + 2
	return s, nil
}

// tuple parses a tuple of non-negative integers: (), (3,), (2, 3).
func (p *hdrParser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	shape := []int{}
	for {
		p.space()
		if p.peek() == ')' {
			p.i++
			return shape, nil
		}
		if len(shape) > MaxRank {
			return nil, fmt.Errorf("shape has more than %d dimensions; allowed ranks are 1 to %d", MaxRank, MaxRank)
		}
		start := p.i
		if p.peek() == '-' || p.peek() == '+' {
			p.i++
		}
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		tok := p.s[start:p.i]
		if p.peek() == 'L' { // Python 2 long
			p.i++
		}
		n, err := strconv.ParseInt(tok, 10, 64)
		switch {
		case tok == "" || tok == "-" || tok == "+":
			return nil, fmt.Errorf("want an integer in 'shape' at offset %d", start)
		case err != nil:
			return nil, fmt.Errorf("shape entry %s: out of range", tok)
		case n < 0:
			return nil, fmt.Errorf("shape entry %d: negative", n)
		case n > math.MaxInt32*int64(1<<16): // far beyond any file; keeps products in int64
			return nil, fmt.Errorf("shape entry %d: too large", n)
		}
		shape = append(shape, int(n))
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case ')':
		default:
			return nil, fmt.Errorf("want ',' or ')' in 'shape' at offset %d", p.i)
		}
	}
}
