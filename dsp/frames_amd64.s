//go:build amd64 && !purego

#include "textflag.h"

// Four-lane kernels of FrameMagnitudes. A value k of the work array z
// takes 64 bytes: the real parts of lanes 0–3, then their imaginary parts.
// Every lane performs the IEEE operations of the scalar Go code (fft.go,
// frames.go) in the same order, with no fused multiply-add, so that both
// give the same bits. Comments give the scalar meaning.

DATA half<>+0(SB)/8, $0x3FE0000000000000
GLOBL half<>(SB), RODATA|NOPTR, $8
DATA mhalf<>+0(SB)/8, $0xBFE0000000000000
GLOBL mhalf<>(SB), RODATA|NOPTR, $8

// CMUL sets (re, im) = (wr, wi)·(sr, si) as cmul does:
// re = wr·sr − wi·si, im = wr·si + wi·sr (tmp is clobbered).
#define CMUL(wr, wi, sr, si, re, im, tmp) \
	VMULPD wr, sr, re \
	VMULPD wi, si, im \
	VSUBPD im, re, re \
	VMULPD wr, si, im \
	VMULPD wi, sr, tmp \
	VADDPD tmp, im, im

// GATHER loads lane values x[2r]·w[2r] into re and x[2r+1]·w[2r+1] into im,
// with R11 = 16·r added to x (SI) and w (DX); Y15 holds the lane offsets.
#define GATHER(re, im) \
	LEAQ (SI)(R11*1), R12 \
	VPCMPEQQ Y14, Y14, Y14 \
	VGATHERQPD Y14, (R12)(Y15*1), re \
	VPCMPEQQ Y14, Y14, Y14 \
	VGATHERQPD Y14, 8(R12)(Y15*1), im \
	VBROADCASTSD (DX)(R11*1), Y13 \
	VMULPD Y13, re, re \
	VBROADCASTSD 8(DX)(R11*1), Y13 \
	VMULPD Y13, im, im

// REV loads 16·rev[i] (i a register) into R11.
#define REV(i) \
	MOVLQSX (R8)(i*4), R11 \
	SHLQ $4, R11

// PACKARGS loads the arguments of the pack kernels (z DI, x SI, w DX,
// rev R8, m CX, lane offsets Y15) and starts the value count BX at 0.
#define PACKARGS \
	MOVQ z+0(FP), DI \
	MOVQ x+8(FP), SI \
	MOVQ w+16(FP), DX \
	MOVQ rev+24(FP), R8 \
	MOVQ m+32(FP), CX \
	MOVQ offs+40(FP), R9 \
	VMOVDQU (R9), Y15 \
	XORQ BX, BX

// VAL gathers value rev[BX+i] of the four lanes into (re, im).
#define VAL(i, re, im) \
	LEAQ i(BX), R10 \
	REV(R10) \
	GATHER(re, im)

// func packRadix4AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64)
TEXT ·packRadix4AVX2(SB), NOSPLIT, $0-48
	PACKARGS

p4loop:
	VAL(0, Y0, Y1)
	VAL(1, Y2, Y3)
	VAL(2, Y4, Y5)
	VAL(3, Y6, Y7)
	// radix4(a, b, c, d): t0 = a+b, t1 = a−b, t2 = c+d, t3 = c−d
	VADDPD Y2, Y0, Y8
	VADDPD Y3, Y1, Y9
	VSUBPD Y2, Y0, Y0
	VSUBPD Y3, Y1, Y1
	VADDPD Y6, Y4, Y10
	VADDPD Y7, Y5, Y11
	VSUBPD Y6, Y4, Y4
	VSUBPD Y7, Y5, Y5
	// z[b] = t0+t2, z[b+2] = t0−t2
	VADDPD Y10, Y8, Y12
	VMOVUPD Y12, 0(DI)
	VADDPD Y11, Y9, Y12
	VMOVUPD Y12, 32(DI)
	VSUBPD Y10, Y8, Y12
	VMOVUPD Y12, 128(DI)
	VSUBPD Y11, Y9, Y12
	VMOVUPD Y12, 160(DI)
	// z[b+1] = t1 − i·t3 = (t1r + t3i, t1i − t3r), z[b+3] = (t1r − t3i, t1i + t3r)
	VADDPD Y5, Y0, Y12
	VMOVUPD Y12, 64(DI)
	VSUBPD Y4, Y1, Y12
	VMOVUPD Y12, 96(DI)
	VSUBPD Y5, Y0, Y12
	VMOVUPD Y12, 192(DI)
	VADDPD Y4, Y1, Y12
	VMOVUPD Y12, 224(DI)
	ADDQ $256, DI
	ADDQ $4, BX
	CMPQ BX, CX
	JLT p4loop
	VZEROUPPER
	RET

// func packRadix2AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64)
TEXT ·packRadix2AVX2(SB), NOSPLIT, $0-48
	PACKARGS

p2loop:
	VAL(0, Y0, Y1)
	VAL(1, Y2, Y3)
	// z[b] = a0+a1, z[b+1] = a0−a1
	VADDPD Y2, Y0, Y4
	VMOVUPD Y4, 0(DI)
	VADDPD Y3, Y1, Y5
	VMOVUPD Y5, 32(DI)
	VSUBPD Y2, Y0, Y4
	VMOVUPD Y4, 64(DI)
	VSUBPD Y3, Y1, Y5
	VMOVUPD Y5, 96(DI)
	ADDQ $128, DI
	ADDQ $2, BX
	CMPQ BX, CX
	JLT p2loop
	VZEROUPPER
	RET

// func stageAVX2(z *float64, m, h int, tw *twiddle3)
//
// For every block of 4h values and j < h, with s0..s3 the values j, h+j,
// 2h+j, 3h+j of the block and tw[j] = {w1, w2, w3}:
// b = w2·s1, c = w1·s2, d = w3·s3 (cmul: re = wr·sr − wi·si,
// im = wr·si + wi·sr); s0 = (a+b)+(c+d), s2 = (a+b)−(c+d),
// s1 = (a−b) − i(c−d), s3 = (a−b) + i(c−d).
TEXT ·stageAVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ m+8(FP), CX
	SHLQ $6, CX
	ADDQ DI, CX // end of z
	MOVQ h+16(FP), R8
	SHLQ $6, R8 // bytes from s0 to s1
	LEAQ (R8)(R8*1), R9 // to s2
	LEAQ (R9)(R8*1), R10 // to s3
	LEAQ (R9)(R9*1), R11 // block size
	MOVQ DI, AX

sblock:
	MOVQ AX, SI
	MOVQ tw+24(FP), BX
	MOVQ h+16(FP), DX

sloop:
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 0(SI)(R8*1), Y2
	VMOVUPD 32(SI)(R8*1), Y3
	VBROADCASTSD 16(BX), Y4
	VBROADCASTSD 24(BX), Y5
	CMUL(Y4, Y5, Y2, Y3, Y6, Y7, Y8) // b
	VADDPD Y6, Y0, Y2
	VADDPD Y7, Y1, Y3 // a+b
	VSUBPD Y6, Y0, Y0
	VSUBPD Y7, Y1, Y1 // a−b
	VMOVUPD 0(SI)(R9*1), Y4
	VMOVUPD 32(SI)(R9*1), Y5
	VBROADCASTSD 0(BX), Y6
	VBROADCASTSD 8(BX), Y7
	CMUL(Y6, Y7, Y4, Y5, Y8, Y9, Y10) // c
	VMOVUPD 0(SI)(R10*1), Y4
	VMOVUPD 32(SI)(R10*1), Y5
	VBROADCASTSD 32(BX), Y6
	VBROADCASTSD 40(BX), Y7
	CMUL(Y6, Y7, Y4, Y5, Y10, Y11, Y12) // d
	VADDPD Y10, Y8, Y4
	VADDPD Y11, Y9, Y5 // c+d
	VSUBPD Y10, Y8, Y6
	VSUBPD Y11, Y9, Y7 // c−d
	VADDPD Y4, Y2, Y8
	VMOVUPD Y8, 0(SI)
	VADDPD Y5, Y3, Y8
	VMOVUPD Y8, 32(SI)
	VSUBPD Y4, Y2, Y8
	VMOVUPD Y8, 0(SI)(R9*1)
	VSUBPD Y5, Y3, Y8
	VMOVUPD Y8, 32(SI)(R9*1)
	VADDPD Y7, Y0, Y8
	VMOVUPD Y8, 0(SI)(R8*1)
	VSUBPD Y6, Y1, Y8
	VMOVUPD Y8, 32(SI)(R8*1)
	VSUBPD Y7, Y0, Y8
	VMOVUPD Y8, 0(SI)(R10*1)
	VADDPD Y6, Y1, Y8
	VMOVUPD Y8, 32(SI)(R10*1)
	ADDQ $64, SI
	ADDQ $48, BX
	DECQ DX
	JNZ sloop
	ADDQ R11, AX
	CMPQ AX, CX
	JLT sblock
	VZEROUPPER
	RET

// func splitMagAVX2(dst, z *float64, post *complex128, m int)
//
// For k = 1 … m/2, with a = z[k], b = z[m−k], W = post[k]:
// er = 0.5(ar+br), ei = 0.5(ai−bi), or = 0.5(ai+bi), oi = −0.5(ar−br),
// tr = Wr·or − Wi·oi, ti = Wr·oi + Wi·or;
// dst[k] = |(er+tr, ei+ti)|, then dst[m−k] = |(er−tr, −(ei−ti))|,
// with |(re, im)| = sqrt(re·re + im·im).
TEXT ·splitMagAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ post+16(FP), BX
	MOVQ m+24(FP), CX
	LEAQ -1(CX), AX
	MOVQ AX, DX
	SHLQ $6, AX
	ADDQ SI, AX // z[m−1]
	SHLQ $5, DX
	ADDQ DI, DX // dst[4(m−1)]
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $16, BX
	SHRQ $1, CX
	VBROADCASTSD half<>(SB), Y14
	VBROADCASTSD mhalf<>(SB), Y15

mloop:
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 0(AX), Y2
	VMOVUPD 32(AX), Y3
	VADDPD Y2, Y0, Y4
	VMULPD Y14, Y4, Y4 // er
	VSUBPD Y3, Y1, Y5
	VMULPD Y14, Y5, Y5 // ei
	VADDPD Y3, Y1, Y6
	VMULPD Y14, Y6, Y6 // or
	VSUBPD Y2, Y0, Y7
	VMULPD Y15, Y7, Y7 // oi
	VBROADCASTSD 0(BX), Y8
	VBROADCASTSD 8(BX), Y9
	CMUL(Y8, Y9, Y6, Y7, Y10, Y11, Y12) // (tr, ti)
	VADDPD Y10, Y4, Y0
	VADDPD Y11, Y5, Y1
	VMULPD Y0, Y0, Y0
	VMULPD Y1, Y1, Y1
	VADDPD Y1, Y0, Y0
	VSQRTPD Y0, Y0
	VMOVUPD Y0, 0(DI)
	VSUBPD Y10, Y4, Y2
	VSUBPD Y11, Y5, Y3
	VMULPD Y2, Y2, Y2
	VMULPD Y3, Y3, Y3
	VADDPD Y3, Y2, Y2
	VSQRTPD Y2, Y2
	VMOVUPD Y2, 0(DX)
	ADDQ $64, SI
	SUBQ $64, AX
	ADDQ $32, DI
	SUBQ $32, DX
	ADDQ $16, BX
	DECQ CX
	JNZ mloop
	VZEROUPPER
	RET
