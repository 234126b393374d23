// Command bundlegen copies webassets.Runtime from node_modules into
// internal/webassets/bundle/, for a build with the tag embedassets (make
// build runs it). Run from the module root.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"huzhu/internal/webassets"
)

func main() {
	if err := run(filepath.Join("internal", "webassets", "bundle")); err != nil {
		fmt.Fprintln(os.Stderr, "bundlegen:", err)
		os.Exit(1)
	}
}

func run(dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	for _, rel := range webassets.Runtime {
		b, err := webassets.Read(rel)
		if err != nil {
			return err
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
