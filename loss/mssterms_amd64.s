//go:build amd64 && !purego

#include "textflag.h"

// func mssTerms4AVX2(a, b *float64, bins int, consts *[15][4]uint64, table *[256][2]float64, out *[8]float64) bool
//
// Per bin k (four lanes): lin += |a−b|; v = (a+ε)/(b+ε);
// with e = bits(v)>>52 (1 ≤ e ≤ 2046 on the fast path),
// m = mantissa of v in [1, 2), j = bits 44–51 of v, c = 1 + j/256,
// (inv, lg) = table[j] = (1/c, log c):
// r = (m−c)·inv, r2 = r·r,
// p = r + r2·((−0.5 + r/3) + r2·((−0.25 + r/5) − r2/6)),
// log v = ((e−1023)·ln2 + lg) + p; lgsum += |log v|.
// Constants (32 bytes each): 0 ε, 1 abs mask, 2 1/3, 3 1/5, 4 1/6,
// 5 −0.5, 6 −0.25, 7 ln2, 8 mantissa mask, 9 bits of 1.0, 10 bits of 2^52,
// 11 2^52+1023, 12 255, 13 2046, 14 the mask that clears the mantissa
// bits below j (m with them cleared is c = 1 + j/256 exactly, the table's
// c, so it needs no gather).
TEXT ·mssTerms4AVX2(SB), NOSPLIT, $0-49
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ bins+16(FP), CX
	MOVQ consts+24(FP), R8
	MOVQ table+32(FP), R10
	VXORPD Y12, Y12, Y12 // lin
	VXORPD Y13, Y13, Y13 // lg
	VXORPD Y14, Y14, Y14 // lanes off the fast path
	VXORPD Y15, Y15, Y15 // zero

tloop:
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	VSUBPD Y1, Y0, Y2
	VANDPD 32(R8), Y2, Y2
	VADDPD Y2, Y12, Y12
	VADDPD 0(R8), Y0, Y0
	VADDPD 0(R8), Y1, Y1
	VDIVPD Y1, Y0, Y0 // v
	VPSRLQ $52, Y0, Y3 // e
	VPCMPGTQ 416(R8), Y3, Y4
	VPOR Y4, Y14, Y14
	VPCMPEQQ Y15, Y3, Y4
	VPOR Y4, Y14, Y14
	VPOR 320(R8), Y3, Y3
	VSUBPD 352(R8), Y3, Y3 // e − 1023
	VPAND 256(R8), Y0, Y4
	VPOR 288(R8), Y4, Y4 // m
	VPSRLQ $44, Y0, Y5
	VPAND 384(R8), Y5, Y5
	VPSLLQ $4, Y5, Y5 // 16j
	VMOVQ X5, AX
	VPEXTRQ $1, X5, BX
	VEXTRACTI128 $1, Y5, X6
	VMOVQ X6, DX
	VPEXTRQ $1, X6, R11
	VMOVUPD (R10)(AX*1), X7
	VINSERTF128 $1, (R10)(DX*1), Y7, Y7 // lanes 0, 2: (inv, lg)
	VMOVUPD (R10)(BX*1), X8
	VINSERTF128 $1, (R10)(R11*1), Y8, Y8 // lanes 1, 3
	VUNPCKLPD Y8, Y7, Y0 // inv
	VUNPCKHPD Y8, Y7, Y8 // lg
	VPAND 448(R8), Y4, Y6 // c
	VSUBPD Y6, Y4, Y4
	VMULPD Y0, Y4, Y4 // r
	VMULPD Y4, Y4, Y6 // r2
	VMULPD 64(R8), Y4, Y7
	VADDPD 160(R8), Y7, Y7 // −0.5 + r/3
	VMULPD 96(R8), Y4, Y9
	VADDPD 192(R8), Y9, Y9 // −0.25 + r/5
	VMULPD 128(R8), Y6, Y10
	VSUBPD Y10, Y9, Y9 // … − r2/6
	VMULPD Y9, Y6, Y9
	VADDPD Y9, Y7, Y7
	VMULPD Y7, Y6, Y7
	VADDPD Y7, Y4, Y7 // p
	VMULPD 224(R8), Y3, Y3
	VADDPD Y8, Y3, Y3
	VADDPD Y7, Y3, Y3 // log v
	VANDPD 32(R8), Y3, Y3
	VADDPD Y3, Y13, Y13
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ tloop

	MOVQ out+40(FP), AX
	VMOVUPD Y12, 0(AX)
	VMOVUPD Y13, 32(AX)
	VPTEST Y14, Y14
	SETEQ ret+48(FP)
	VZEROUPPER
	RET
