package loss

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The machine running the
// benchmarks is shared, so next to the wall-clock ns/op the benchmarks
// report cpu-ns/op, which waiting for a core does not inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The benchmarks use one second at 44.1 kHz, the METHOD signal length.
func benchLoss(b *testing.B, name string, settings map[string]string, grad bool) {
	x, tg := noise(1, 44100, 0.3), noise(2, 44100, 0.3)
	l, err := New(name, tg, settings)
	if err != nil {
		b.Fatal(err)
	}
	var g []float64
	if grad {
		g = make([]float64, len(x))
	}
	c0 := cpuTime()
	for b.Loop() {
		l.Eval(x, g)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkL1SpecGrad(b *testing.B)      { benchLoss(b, "l1-spec", nil, true) }
func BenchmarkSimseSpecGrad(b *testing.B)   { benchLoss(b, "simse-spec", nil, true) }
func BenchmarkDTWEnvelopeGrad(b *testing.B) { benchLoss(b, "dtw-envelope", nil, true) }
func BenchmarkDTWDivergenceGrad(b *testing.B) {
	benchLoss(b, "dtw-envelope", map[string]string{"divergence": "true"}, true)
}
func BenchmarkMSSValue(b *testing.B)   { benchLoss(b, "mss", nil, false) }
func BenchmarkMSSGrad(b *testing.B)    { benchLoss(b, "mss", nil, true) }
func BenchmarkMRSTFTGrad(b *testing.B) { benchLoss(b, "mrstft", nil, true) }
func BenchmarkMelL1Grad(b *testing.B)  { benchLoss(b, "mel-l1", nil, true) }

// BenchmarkMSSScore is the one-shot score, both spectrograms included.
func BenchmarkMSSScore(b *testing.B) {
	x, tg := noise(1, 44100, 0.3), noise(2, 44100, 0.3)
	c0 := cpuTime()
	for b.Loop() {
		MSS(x, tg)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}
