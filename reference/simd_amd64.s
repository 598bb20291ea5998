//go:build amd64 && !purego

#include "textflag.h"

// VPMULDQ multiplies the low signed 32 bits of each 64-bit lane into a
// full 64-bit product: exact for codes (in_bits <= 24) and probabilities
// (prob_frac <= 30), which is what the callers pass.

// func dotAVX2(q, k []int64) int64
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ  q_base+0(FP), SI
	MOVQ  q_len+8(FP), CX
	MOVQ  k_base+24(FP), DI
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	SHRQ  $3, CX
	JZ    dotdone

dotloop:
	VMOVDQU (SI), Y2
	VMOVDQU 32(SI), Y3
	VPMULDQ (DI), Y2, Y2
	VPMULDQ 32(DI), Y3, Y3
	VPADDQ  Y2, Y0, Y0
	VPADDQ  Y3, Y1, Y1
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     dotloop

dotdone:
	VPADDQ       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDQ       X1, X0, X0
	VMOVQ        X0, AX
	VZEROUPPER
	MOVQ         AX, ret+48(FP)
	RET

// func addScaledAVX2(acc []int64, p int64, v []int64, bias int64) uint64
TEXT ·addScaledAVX2(SB), NOSPLIT, $0-72
	MOVQ         acc_base+0(FP), DI
	MOVQ         acc_len+8(FP), CX
	VPBROADCASTQ p+24(FP), Y15
	MOVQ         v_base+32(FP), SI
	VPBROADCASTQ bias+56(FP), Y14
	VPXOR        Y12, Y12, Y12
	VPXOR        Y13, Y13, Y13
	SHRQ         $3, CX
	JZ           adddone

addloop:
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VPMULDQ Y15, Y0, Y0
	VPMULDQ Y15, Y1, Y1
	VPADDQ  (DI), Y0, Y0
	VPADDQ  32(DI), Y1, Y1
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VPADDQ  Y14, Y0, Y0
	VPADDQ  Y14, Y1, Y1
	VPOR    Y0, Y12, Y12
	VPOR    Y1, Y13, Y13
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     addloop

adddone:
	VPOR         Y13, Y12, Y12
	VEXTRACTI128 $1, Y12, X13
	VPOR         X13, X12, X12
	VPSHUFD      $0x4e, X12, X13
	VPOR         X13, X12, X12
	VMOVQ        X12, AX
	VZEROUPPER
	MOVQ         AX, ret+64(FP)
	RET
