#!/usr/bin/python3
"""Reference values for loss/scipy_test.go, computed with numpy/scipy.

Run from this directory with Debian's python3-numpy and python3-scipy:
    /usr/bin/python3 gen_reference.py
It writes x.f64 and t.f64 (8000 raw little-endian float64 samples each) and
reference.json. The spectrograms use scipy.signal.get_window, numpy.pad
(mode="reflect") and numpy.fft.rfft, following METHOD §4 and §6 and the
auraloss conventions documented in mrstft.go.
"""
import json

import numpy as np
import scipy.signal

N, SR = 8000, 44100
n = np.arange(N)
rng = np.random.default_rng(7)
x = (0.6 * np.sin(2 * np.pi * 440 * n / SR)
     + 0.2 * np.sin(2 * np.pi * 3000 * n / SR) * (1 + 0.5 * np.sin(2 * np.pi * 3 * n / SR))
     + 0.05 * rng.standard_normal(N))
t = (0.5 * np.sin(2 * np.pi * 523.25 * n / SR + 0.3)
     + 0.3 * scipy.signal.sawtooth(2 * np.pi * 200 * n / SR)
     + 0.05 * rng.standard_normal(N))
x.astype("<f8").tofile("x.f64")
t.astype("<f8").tofile("t.f64")


def stft_mag(sig, n_fft, win, hop, center, normalize, floor=0.0):
    """Frames of max(len(win), n_fft) samples; window cropped to n_fft or
    zero-padded (centred) to it."""
    if center:
        sig = np.pad(sig, n_fft // 2, mode="reflect")
    flen = max(len(win), n_fft)
    if len(win) >= n_fft:
        weff = win[:n_fft]
    else:
        left = (n_fft - len(win)) // 2
        weff = np.zeros(n_fft)
        weff[left:left + len(win)] = win
    frames = 1 + (len(sig) - flen) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.fft.rfft(sig[idx] * weff, axis=1)
    if normalize:
        spec = spec / np.sqrt(np.sum(win ** 2))
    return np.sqrt(np.maximum(np.abs(spec) ** 2, floor))


def method_spec(sig):
    return stft_mag(sig, 512, scipy.signal.get_window("hann", 600, fftbins=False), 100, True, True)


Sx, St = method_spec(x), method_spec(t)
l1 = np.mean(np.abs(Sx - St))

a, b = np.clip(St, 0, 1), np.clip(Sx, 0, 1)
alpha = np.sum(a * b) / np.sum(b * b)
simse = np.mean((a - alpha * b) ** 2)

g = scipy.signal.windows.gaussian(21, 3)
g = g / g.sum()


def envelope(S):
    return np.convolve(S.sum(axis=1), g, mode="same")


def soft_dtw(p, q, gamma=1.0):
    R = np.full((len(p) + 1, len(q) + 1), np.inf)
    R[0, 0] = 0
    for i in range(1, len(p) + 1):
        for j in range(1, len(q) + 1):
            r = np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]])
            m = r.min()
            R[i, j] = (p[i - 1] - q[j - 1]) ** 2 + m - gamma * np.log(np.sum(np.exp(-(r - m) / gamma)))
    return R[-1, -1]


ex, et = envelope(Sx), envelope(St)
dtw = soft_dtw(ex, et)
div = dtw - 0.5 * (soft_dtw(ex, ex) + soft_dtw(et, et))

xn, tn = x / np.max(np.abs(x)), t / np.max(np.abs(t))
mss = 0.0
for s in (512, 1024, 2048, 4096):
    w = scipy.signal.get_window("hann", s, fftbins=False)
    A = stft_mag(xn, s, w, 100, False, False)
    B = stft_mag(tn, s, w, 100, False, False)
    mss += np.mean(np.abs(A - B)) + np.mean(np.abs(np.log(A + 1e-7) - np.log(B + 1e-7)))

mr = 0.0
res = [(1024, 120, 600), (2048, 240, 1200), (512, 50, 240)]
for f, h, wl in res:
    w = scipy.signal.get_window("hann", wl, fftbins=True)
    A = stft_mag(x, f, w, h, True, False, 1e-8)
    B = stft_mag(t, f, w, h, True, False, 1e-8)
    mr += np.linalg.norm(B - A) / np.linalg.norm(B) + np.mean(np.abs(np.log(A) - np.log(B)))
mr /= len(res)



def hz_to_mel(f):  # Slaney, as librosa.hz_to_mel(htk=False)
    f = np.asarray(f, dtype=float)
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-300) / 1000) / (np.log(6.4) / 27), 3 * f / 200)


def mel_to_hz(m):
    m = np.asarray(m, dtype=float)
    return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), 200 * m / 3)


def mel_filters(sr, n_fft, n_mels):  # librosa.filters.mel(norm="slaney"), float64
    fft_f = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_f)
    W = np.zeros((n_mels, len(fft_f)))
    for i in range(n_mels):
        W[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    return W * (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]


W = mel_filters(SR, 2048, 128)
wp = scipy.signal.get_window("hann", 2048, fftbins=True)
melx = np.log(stft_mag(x, 2048, wp, 512, True, False) @ W.T + 1e-5)
melt = np.log(stft_mag(t, 2048, wp, 512, True, False) @ W.T + 1e-5)
mel_l1 = np.mean(np.abs(melx - melt))

json.dump({
    "mel-l1": mel_l1,
    "spec_shape": list(Sx.shape),
    "spec_x_frame10_bins0_4": Sx[10, :5].tolist(),
    "l1-spec": l1, "simse-spec": simse, "dtw-envelope": dtw, "dtw-divergence": div,
    "mss": mss, "mrstft": mr,
}, open("reference.json", "w"), indent=1)
