// Command fmacheck calls every function of package detmath on values read
// from the command line, so that a cross-compiled binary contains their
// code for TestNoFusedMultiplyAdd to inspect.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/soundmatch/soundmatch/detmath"
)

func main() {
	x, y := 0.5, 1.5
	if len(os.Args) > 2 {
		x, _ = strconv.ParseFloat(os.Args[1], 64)
		y, _ = strconv.ParseFloat(os.Args[2], 64)
	}
	s, c := detmath.Sincos(x)
	fmt.Println(detmath.Sin(x), detmath.Cos(x), s, c, detmath.Tan(x),
		detmath.Exp(x), detmath.Exp2(x), detmath.Expm1(x),
		detmath.Log(x), detmath.Log2(x), detmath.Log10(x), detmath.Log1p(x),
		detmath.Pow(x, y), detmath.Atan(x), detmath.Atan2(x, y), detmath.Asin(x), detmath.Acos(x),
		detmath.Hypot(x, y), detmath.Sinh(x), detmath.Cosh(x), detmath.Tanh(x))
}
