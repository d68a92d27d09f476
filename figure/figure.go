// Package figure draws the pictures soundmatch produces (loss curves,
// spectrograms, landscapes, violins) with gonum/plot and saves them as PNG
// or SVG, chosen by the file name's extension.
//
// Products that feed a sum are rounded on their own, float64(a*b): the
// pictures need not be bit-identical across machines, but the module as a
// whole is kept free of fused multiply-adds so that a check of the
// compiled code can demand none.
package figure

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Save writes p to path as PNG or SVG (by extension) at w × h.
func Save(p *plot.Plot, path string, w, h vg.Length) error {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".png", ".svg":
	default:
		return fmt.Errorf("%s: unsupported picture format %q (accepted: .png, .svg)", path, ext)
	}
	return p.Save(w, h, path)
}
