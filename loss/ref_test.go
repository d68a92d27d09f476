package loss

// Independent reference implementations of METHOD §4–6 for the tests:
// written directly from the text, with explicit loops, their own windows,
// padding and mel filters, and gonum's FFT. Nothing here shares code with
// package dsp or with the losses under test.

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

func refHann(n int, periodic bool) []float64 {
	w := make([]float64, n)
	d := float64(n - 1)
	if periodic {
		d = float64(n)
	}
	for k := range w {
		w[k] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(k)/d)
	}
	return w
}

// refSpec is the magnitude STFT as a list of frames.
func refSpec(x []float64, nfft int, w []float64, hop int, center, normalize bool, floor float64) [][]float64 {
	xp := x
	if center {
		p := nfft / 2
		xp = nil
		for i := p; i >= 1; i-- {
			xp = append(xp, x[i])
		}
		xp = append(xp, x...)
		for i := 1; i <= p; i++ {
			xp = append(xp, x[len(x)-1-i])
		}
	}
	scale := 1.0
	if normalize {
		e := 0.0
		for _, v := range w {
			e += v * v
		}
		scale = 1 / math.Sqrt(e)
	}
	flen := max(len(w), nfft)
	off := 0
	if len(w) < nfft {
		off = (nfft - len(w)) / 2
	}
	fft := fourier.NewFFT(nfft)
	buf := make([]float64, nfft)
	var out [][]float64
	for start := 0; start+flen <= len(xp); start += hop {
		for j := 0; j < nfft; j++ {
			wj := 0.0
			if k := j - off; k >= 0 && k < len(w) {
				wj = w[k]
			}
			buf[j] = xp[start+j] * wj * scale
		}
		c := fft.Coefficients(nil, buf)
		row := make([]float64, len(c))
		for k, v := range c {
			row[k] = math.Sqrt(math.Max(real(v)*real(v)+imag(v)*imag(v), floor))
		}
		out = append(out, row)
	}
	return out
}

// refMethodSpec is the METHOD §4 spectrogram.
func refMethodSpec(x []float64) [][]float64 {
	return refSpec(x, 512, refHann(600, false), 100, true, true, 0)
}

func refL1Spec(x, t []float64) float64 {
	a, b := refMethodSpec(x), refMethodSpec(t)
	sum, n := 0.0, 0
	for f := range a {
		for k := range a[f] {
			sum += math.Abs(a[f][k] - b[f][k])
			n++
		}
	}
	return sum / float64(n)
}

func refSimse(x, t []float64) float64 {
	sx, st := refMethodSpec(x), refMethodSpec(t)
	var a, b []float64
	for f := range sx {
		for k := range sx[f] {
			a = append(a, math.Min(math.Max(st[f][k], 0), 1))
			b = append(b, math.Min(math.Max(sx[f][k], 0), 1))
		}
	}
	ab, bb := 0.0, 0.0
	for i := range a {
		ab += a[i] * b[i]
		bb += b[i] * b[i]
	}
	alpha := 0.0
	if bb != 0 {
		alpha = ab / bb
	}
	sum := 0.0
	for i := range a {
		sum += (a[i] - alpha*b[i]) * (a[i] - alpha*b[i])
	}
	return sum / float64(len(a))
}

func refEnvelope(x []float64, taps int, sigma float64) []float64 {
	s := refMethodSpec(x)
	e := make([]float64, len(s))
	for f, row := range s {
		for _, v := range row {
			e[f] += v
		}
	}
	if taps == 0 {
		return e
	}
	g := make([]float64, taps)
	gs := 0.0
	for i := range g {
		d := float64(i) - float64(taps-1)/2
		g[i] = math.Exp(-d * d / (2 * sigma * sigma))
		gs += g[i]
	}
	full := make([]float64, len(e)+taps-1)
	for i := range e {
		for k := range g {
			full[i+k] += e[i] * g[k] / gs
		}
	}
	return full[(taps-1)/2 : (taps-1)/2+len(e)]
}

func refSoftDTW(a, b []float64, gamma float64) float64 {
	inf := math.Inf(1)
	r := make([][]float64, len(a)+1)
	for i := range r {
		r[i] = make([]float64, len(b)+1)
		for j := range r[i] {
			r[i][j] = inf
		}
	}
	r[0][0] = 0
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			v := []float64{r[i-1][j-1], r[i-1][j], r[i][j-1]}
			m := math.Min(v[0], math.Min(v[1], v[2]))
			s := 0.0
			for _, u := range v {
				s += math.Exp(-(u - m) / gamma)
			}
			c := a[i-1] - b[j-1]
			r[i][j] = c*c + m - gamma*math.Log(s)
		}
	}
	return r[len(a)][len(b)]
}

func refDTWEnvelope(x, t []float64, divergence bool) float64 {
	ex, et := refEnvelope(x, 21, 3), refEnvelope(t, 21, 3)
	v := refSoftDTW(ex, et, 1)
	if divergence {
		v -= (refSoftDTW(ex, ex, 1) + refSoftDTW(et, et, 1)) / 2
	}
	return v
}

func refMSS(x, t []float64) float64 {
	norm := func(x []float64) []float64 {
		m := 0.0
		for _, v := range x {
			m = math.Max(m, math.Abs(v))
		}
		y := make([]float64, len(x))
		for i, v := range x {
			if m > 0 {
				y[i] = v / m
			}
		}
		return y
	}
	xn, tn := norm(x), norm(t)
	total := 0.0
	for _, n := range []int{512, 1024, 2048, 4096} {
		a := refSpec(xn, n, refHann(n, false), 100, false, false, 0)
		b := refSpec(tn, n, refHann(n, false), 100, false, false, 0)
		lin, lg, cnt := 0.0, 0.0, 0
		for f := range a {
			for k := range a[f] {
				lin += math.Abs(a[f][k] - b[f][k])
				lg += math.Abs(math.Log(a[f][k]+1e-7) - math.Log(b[f][k]+1e-7))
				cnt++
			}
		}
		total += lin/float64(cnt) + lg/float64(cnt)
	}
	return total
}

func refMRSTFT(x, t []float64, wsc, wlog float64) float64 {
	res := [][3]int{{1024, 120, 600}, {2048, 240, 1200}, {512, 50, 240}}
	total := 0.0
	for _, r := range res {
		w := refHann(r[2], true)
		a := refSpec(x, r[0], w, r[1], true, false, 1e-8)
		b := refSpec(t, r[0], w, r[1], true, false, 1e-8)
		dd, tt, lm, cnt := 0.0, 0.0, 0.0, 0
		for f := range a {
			for k := range a[f] {
				dd += (b[f][k] - a[f][k]) * (b[f][k] - a[f][k])
				tt += b[f][k] * b[f][k]
				lm += math.Abs(math.Log(a[f][k]) - math.Log(b[f][k]))
				cnt++
			}
		}
		total += wsc*math.Sqrt(dd)/math.Sqrt(tt) + wlog*lm/float64(cnt)
	}
	return total / float64(len(res))
}

// refMelFilters follows librosa.filters.mel (htk=False, norm="slaney").
func refMelFilters(sr float64, nfft, nmels int) [][]float64 {
	hzToMel := func(f float64) float64 {
		if f < 1000 {
			return 3 * f / 200
		}
		return 15 + 27*math.Log(f/1000)/math.Log(6.4)
	}
	melToHz := func(m float64) float64 {
		if m < 15 {
			return 200 * m / 3
		}
		return 1000 * math.Pow(6.4, (m-15)/27)
	}
	top := hzToMel(sr / 2)
	pts := make([]float64, nmels+2)
	for i := range pts {
		pts[i] = melToHz(top * float64(i) / float64(nmels+1))
	}
	bins := nfft/2 + 1
	w := make([][]float64, nmels)
	for i := range w {
		w[i] = make([]float64, bins)
		for k := range w[i] {
			f := float64(k) * sr / float64(nfft)
			up := (f - pts[i]) / (pts[i+1] - pts[i])
			down := (pts[i+2] - f) / (pts[i+2] - pts[i+1])
			w[i][k] = math.Max(0, math.Min(up, down)) * 2 / (pts[i+2] - pts[i])
		}
	}
	return w
}

func refMelL1(x, t []float64, power float64) float64 {
	fb := refMelFilters(44100, 2048, 128)
	logmel := func(x []float64) []float64 {
		s := refSpec(x, 2048, refHann(2048, true), 512, true, false, 0)
		var out []float64
		for _, row := range s {
			for _, filt := range fb {
				m := 0.0
				for k, v := range row {
					m += filt[k] * math.Pow(v, power)
				}
				out = append(out, math.Log(m+1e-5))
			}
		}
		return out
	}
	a, b := logmel(x), logmel(t)
	sum := 0.0
	for i := range a {
		sum += math.Abs(a[i] - b[i])
	}
	return sum / float64(len(a))
}
