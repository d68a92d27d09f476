#!/usr/bin/python3
"""Regenerates the WAV fixtures of the audio package's tests.

Run with the system Python that has numpy and scipy:  python3 gen.py
Each fixture NAME.wav comes with NAME.expect.f64: the samples scipy.io.wavfile
(or the Python standard library, for 24-bit PCM) reads back, scaled to [-1, 1)
(integer / 2^(bits-1); 8-bit is unsigned, (b - 128) / 128) and averaged over
channels, as little-endian float64. The Go reader must reproduce them exactly.
"""
import struct
import wave

import numpy as np
from scipy.io import wavfile

rng = np.random.default_rng(7)
N = 97  # odd on purpose: exercises the pad byte of odd-sized chunks in 8-bit mono
t = np.arange(N)
base = 0.8 * np.sin(2 * np.pi * 5 * t / N)


def expect(name, frames):
    """frames: (N, channels) float64, already scaled to [-1, 1]."""
    np.asarray(frames.mean(axis=1), dtype='<f8').tofile(name + '.expect.f64')


def pcm_ints(bits, ch):
    full = 2 ** (bits - 1)
    x = np.stack([np.round(base * full * (1 - 0.3 * c)) for c in range(ch)], axis=1).astype(np.int64)
    x[0, 0] = -full      # most negative code
    x[1, 0] = full - 1   # most positive code
    return x


# 16- and 32-bit PCM, mono and stereo, through scipy.
for bits, dt in ((16, np.int16), (32, np.int32)):
    for ch in (1, 2):
        x = pcm_ints(bits, ch)
        name = f'pcm{bits}_{ch}ch'
        wavfile.write(name + '.wav', 22050, x.astype(dt) if ch > 1 else x[:, 0].astype(dt))
        _, back = wavfile.read(name + '.wav')
        back = back.reshape(N, ch).astype(np.float64)
        expect(name, back / 2 ** (bits - 1))

# 8-bit unsigned PCM, mono (odd data size -> pad byte), through the wave module.
x8 = np.clip(np.round(base * 128) + 128, 0, 255).astype(np.uint8)
with wave.open('pcm8_1ch.wav', 'wb') as w:
    w.setnchannels(1); w.setsampwidth(1); w.setframerate(8000)
    w.writeframes(x8.tobytes())
expect('pcm8_1ch', ((x8.astype(np.float64) - 128) / 128)[:, None])

# 24-bit PCM stereo, through the wave module (scipy cannot write 24-bit).
x24 = pcm_ints(24, 2)
raw = bytearray()
for fr in x24:
    for v in fr:
        raw += int(v).to_bytes(3, 'little', signed=True)
with wave.open('pcm24_2ch.wav', 'wb') as w:
    w.setnchannels(2); w.setsampwidth(3); w.setframerate(48000)
    w.writeframes(bytes(raw))
_, back = wavfile.read('pcm24_2ch.wav')  # scipy reads 24-bit into int32 << 8
expect('pcm24_2ch', back.astype(np.float64) / 2 ** 31)

# 32- and 64-bit float, mono and stereo, through scipy.
for dt, bits in ((np.float32, 32), (np.float64, 64)):
    for ch in (1, 2):
        x = np.stack([base * (1 - 0.3 * c) + 0.01 * rng.standard_normal(N) for c in range(ch)], axis=1).astype(dt)
        name = f'float{bits}_{ch}ch'
        wavfile.write(name + '.wav', 44100, x if ch > 1 else x[:, 0])
        _, back = wavfile.read(name + '.wav')
        expect(name, back.reshape(N, ch).astype(np.float64))

# WAVE_FORMAT_EXTENSIBLE, 3 channels of 32-bit float, with a LIST chunk before
# the data (as many editors write) -- assembled by hand, then checked by scipy.
x = np.stack([base * (1 - 0.2 * c) for c in range(3)], axis=1).astype('<f4')
guid_float = struct.pack('<IHH', 3, 0x0000, 0x0010) + bytes([0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])
fmt = struct.pack('<HHIIHH', 0xFFFE, 3, 32000, 32000 * 12, 12, 32) + struct.pack('<HHI', 22, 32, 0x7) + guid_float
lst = b'INFOISFT' + struct.pack('<I', 5) + b'gen\x00\x00' + b'\x00'  # odd size + pad
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt
body += b'LIST' + struct.pack('<I', len(lst) - 1) + lst
body += b'data' + struct.pack('<I', x.nbytes) + x.tobytes()
with open('ext_float32_3ch.wav', 'wb') as f:
    f.write(b'RIFF' + struct.pack('<I', len(body)) + body)
_, back = wavfile.read('ext_float32_3ch.wav')
expect('ext_float32_3ch', back.astype(np.float64))

# WAVE_FORMAT_EXTENSIBLE, mono 24-bit PCM in 32-bit containers (valid bits 24).
v = np.round(base * 2 ** 23).astype(np.int64)
guid_pcm = struct.pack('<IHH', 1, 0x0000, 0x0010) + bytes([0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])
fmt = struct.pack('<HHIIHH', 0xFFFE, 1, 96000, 96000 * 4, 4, 32) + struct.pack('<HHI', 22, 24, 0x4) + guid_pcm
data = (v << 8).astype('<i4')
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', data.nbytes) + data.tobytes()
with open('ext_pcm24in32_1ch.wav', 'wb') as f:
    f.write(b'RIFF' + struct.pack('<I', len(body)) + body)
_, back = wavfile.read('ext_pcm24in32_1ch.wav')
expect('ext_pcm24in32_1ch', back.astype(np.float64)[:, None] / 2 ** 31)

# The writer's reference: scipy's layout for mono 32-bit float at 44100 Hz.
wavfile.write('writer_ref_float32.wav', 44100, base.astype(np.float32))
np.asarray(base, dtype='<f8').tofile('writer_ref_input.f64')
