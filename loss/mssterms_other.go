//go:build !amd64 || purego

package loss

func mssTerms4Fast(a, b []float64, out *[8]float64) bool { return false }
