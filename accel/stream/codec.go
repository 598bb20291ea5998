package stream

import "encoding/binary"

// ElemBytes is the bytes one code of the given width occupies in memory.
func ElemBytes(bits int) int {
	switch {
	case bits <= 8:
		return 1
	case bits <= 16:
		return 2
	default:
		return 4
	}
}

// Encode writes codes as little-endian signed integers of eb bytes each.
func Encode(dst []byte, codes []int64, eb int) {
	for i, c := range codes {
		switch eb {
		case 1:
			dst[i] = byte(int8(c))
		case 2:
			binary.LittleEndian.PutUint16(dst[2*i:], uint16(int16(c)))
		default:
			binary.LittleEndian.PutUint32(dst[4*i:], uint32(int32(c)))
		}
	}
}

// Decode reads len(codes) little-endian signed integers of eb bytes each.
func Decode(codes []int64, src []byte, eb int) {
	for i := range codes {
		switch eb {
		case 1:
			codes[i] = int64(int8(src[i]))
		case 2:
			codes[i] = int64(int16(binary.LittleEndian.Uint16(src[2*i:])))
		default:
			codes[i] = int64(int32(binary.LittleEndian.Uint32(src[4*i:])))
		}
	}
}
