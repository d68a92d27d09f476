package main

import (
	"os"
	"path/filepath"
)

// checkOutputPath reports, before any work is done, an output file whose
// folder does not exist or is not a folder: a user mistake (exit 2), not
// a failure found after minutes of computing.
func checkOutputPath(flag, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return userErrf("%s %s: folder %s does not exist", flag, path, dir)
	}
	if !st.IsDir() {
		return userErrf("%s %s: %s is not a folder", flag, path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return userErrf("%s %s: is a folder, want a file name", flag, path)
	}
	return nil
}

// checkOutputPaths checks several flag/path pairs with checkOutputPath.
func checkOutputPaths(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkOutputPath(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
