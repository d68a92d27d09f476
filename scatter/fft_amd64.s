//go:build amd64 && !purego

#include "textflag.h"

// func radix4AVX(d0, d1, d2, d3, s0, s1, s2, s3 *complex128, n int, tw *complex128, jmask *[4]float64)
//
// For k < n (n even), with a=s0[k], b=s1[k], c=s2[k], d=s3[k],
// j = jmask applied to swap(b−d) (±i·(b−d)) and w1..w3 = tw[0..2]:
//   d0[k] = a+c + b+d
//   d1[k] = w1·(a−c − j)
//   d2[k] = w2·(a+c − (b+d))
//   d3[k] = w3·(a−c + j)
// two complex values per iteration.
TEXT ·radix4AVX(SB), NOSPLIT, $0-88
	MOVQ d0+0(FP), DI
	MOVQ d1+8(FP), R8
	MOVQ d2+16(FP), R9
	MOVQ d3+24(FP), R10
	MOVQ s0+32(FP), SI
	MOVQ s1+40(FP), R11
	MOVQ s2+48(FP), R12
	MOVQ s3+56(FP), R13
	MOVQ n+64(FP), CX
	MOVQ tw+72(FP), AX
	MOVQ jmask+80(FP), BX
	VBROADCASTSD 0(AX), Y8
	VBROADCASTSD 8(AX), Y9
	VBROADCASTSD 16(AX), Y10
	VBROADCASTSD 24(AX), Y11
	VBROADCASTSD 32(AX), Y12
	VBROADCASTSD 40(AX), Y13
	VMOVUPD 0(BX), Y14
	SHRQ $1, CX
	JZ done
	XORQ DX, DX

loop:
	VMOVUPD (SI)(DX*1), Y0
	VMOVUPD (R12)(DX*1), Y2
	VMOVUPD (R11)(DX*1), Y1
	VMOVUPD (R13)(DX*1), Y3
	VADDPD Y2, Y0, Y4
	VSUBPD Y2, Y0, Y5
	VADDPD Y3, Y1, Y6
	VSUBPD Y3, Y1, Y7
	VPERMILPD $5, Y7, Y7
	VXORPD Y14, Y7, Y7
	VADDPD Y6, Y4, Y0
	VMOVUPD Y0, (DI)(DX*1)
	VSUBPD Y6, Y4, Y4
	VSUBPD Y7, Y5, Y6
	VADDPD Y7, Y5, Y5

	VPERMILPD $5, Y6, Y7
	VMULPD Y8, Y6, Y6
	VMULPD Y9, Y7, Y7
	VADDSUBPD Y7, Y6, Y6
	VMOVUPD Y6, (R8)(DX*1)

	VPERMILPD $5, Y4, Y7
	VMULPD Y10, Y4, Y4
	VMULPD Y11, Y7, Y7
	VADDSUBPD Y7, Y4, Y4
	VMOVUPD Y4, (R9)(DX*1)

	VPERMILPD $5, Y5, Y7
	VMULPD Y12, Y5, Y5
	VMULPD Y13, Y7, Y7
	VADDSUBPD Y7, Y5, Y5
	VMOVUPD Y5, (R10)(DX*1)

	ADDQ $32, DX
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET

// func hasAVX() bool
TEXT ·hasAVX(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	MOVL CX, DX
	ANDL $0x18000000, DX
	CMPL DX, $0x18000000
	JNE no
	XORL CX, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	JNE no
	MOVB $1, ret+0(FP)
	RET

no:
	MOVB $0, ret+0(FP)
	RET

// func radix4FirstAVX(dst, src *complex128, m int, w1, w2, w3 *complex128, jmask *[4]float64)
//
// The first Stockham stage (stride 1), two butterflies q, q+1 per
// iteration: inputs src[q+i·m], twiddles w1..w3[q], outputs dst[4q+p].
TEXT ·radix4FirstAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ m+16(FP), CX
	MOVQ w1+24(FP), R8
	MOVQ w2+32(FP), R9
	MOVQ w3+40(FP), R10
	MOVQ jmask+48(FP), BX
	VMOVUPD 0(BX), Y14
	MOVQ CX, AX
	SHLQ $4, AX
	LEAQ (SI)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R12)(AX*1), R13
	SHRQ $1, CX
	JZ done1
	XORQ DX, DX
	XORQ BX, BX

loop1:
	VMOVUPD (SI)(DX*1), Y0
	VMOVUPD (R12)(DX*1), Y2
	VMOVUPD (R11)(DX*1), Y1
	VMOVUPD (R13)(DX*1), Y3
	VADDPD Y2, Y0, Y4
	VSUBPD Y2, Y0, Y5
	VADDPD Y3, Y1, Y6
	VSUBPD Y3, Y1, Y7
	VPERMILPD $5, Y7, Y7
	VXORPD Y14, Y7, Y7
	VADDPD Y6, Y4, Y0
	VSUBPD Y6, Y4, Y4
	VSUBPD Y7, Y5, Y6
	VADDPD Y7, Y5, Y5

	VMOVUPD (R8)(DX*1), Y8
	VMOVDDUP Y8, Y9
	VPERMILPD $15, Y8, Y8
	VPERMILPD $5, Y6, Y7
	VMULPD Y9, Y6, Y6
	VMULPD Y8, Y7, Y7
	VADDSUBPD Y7, Y6, Y1

	VMOVUPD (R9)(DX*1), Y8
	VMOVDDUP Y8, Y9
	VPERMILPD $15, Y8, Y8
	VPERMILPD $5, Y4, Y7
	VMULPD Y9, Y4, Y4
	VMULPD Y8, Y7, Y7
	VADDSUBPD Y7, Y4, Y2

	VMOVUPD (R10)(DX*1), Y8
	VMOVDDUP Y8, Y9
	VPERMILPD $15, Y8, Y8
	VPERMILPD $5, Y5, Y7
	VMULPD Y9, Y5, Y5
	VMULPD Y8, Y7, Y7
	VADDSUBPD Y7, Y5, Y3

	VPERM2F128 $0x20, Y1, Y0, Y4
	VPERM2F128 $0x20, Y3, Y2, Y5
	VPERM2F128 $0x31, Y1, Y0, Y6
	VPERM2F128 $0x31, Y3, Y2, Y7
	VMOVUPD Y4, 0(DI)(BX*1)
	VMOVUPD Y5, 32(DI)(BX*1)
	VMOVUPD Y6, 64(DI)(BX*1)
	VMOVUPD Y7, 96(DI)(BX*1)

	ADDQ $32, DX
	ADDQ $128, BX
	DECQ CX
	JNZ loop1

done1:
	VZEROUPPER
	RET
