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

// func addScaledAVX2(acc []int64, p int64, v []int64, lo, hi int64) bool
TEXT ·addScaledAVX2(SB), NOSPLIT, $0-73
	MOVQ         acc_base+0(FP), DI
	MOVQ         acc_len+8(FP), CX
	VPBROADCASTQ p+24(FP), Y15
	MOVQ         v_base+32(FP), SI
	VPBROADCASTQ lo+56(FP), Y14
	VPBROADCASTQ hi+64(FP), Y13
	VPXOR        Y12, Y12, Y12
	SHRQ         $2, CX
	JZ           adddone

addloop:
	VMOVDQU  (SI), Y0
	VPMULDQ  Y15, Y0, Y0
	VPADDQ   (DI), Y0, Y0
	VMOVDQU  Y0, (DI)
	VPCMPGTQ Y13, Y0, Y1
	VPCMPGTQ Y0, Y14, Y2
	VPOR     Y1, Y12, Y12
	VPOR     Y2, Y12, Y12
	ADDQ     $32, SI
	ADDQ     $32, DI
	DECQ     CX
	JNZ      addloop

adddone:
	VPTEST     Y12, Y12
	SETEQ      ret+72(FP)
	VZEROUPPER
	RET
