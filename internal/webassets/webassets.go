// Package webassets finds the front-end files huzhu copies into its
// outputs or uses in tests: the ECharts runtime and axe-core. They come
// from the npm packages pinned in package.json / package-lock.json
// (integrity hashes), installed by `make` with `npm ci` into node_modules;
// none of them is committed.
//
// The folder is HUZHU_NODE_MODULES when set, else the first node_modules
// found walking up from the working directory, then from the executable's
// directory.
package webassets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The files, relative to node_modules.
const (
	EChartsFile = "echarts/dist/echarts.min.js"
	AxeFile     = "axe-core/axe.min.js"
)

// ErrNotInstalled says the npm packages are missing: run `make` (npm ci).
var ErrNotInstalled = errors.New("front-end packages not installed: run `npm ci` (make does) or set HUZHU_NODE_MODULES")

// NodeModules returns the node_modules folder holding the pinned packages.
func NodeModules() (string, error) {
	if d := os.Getenv("HUZHU_NODE_MODULES"); d != "" {
		if ok(d) {
			return d, nil
		}
		return "", fmt.Errorf("HUZHU_NODE_MODULES=%s: %w", d, ErrNotInstalled)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, s := range starts {
		for d := s; ; d = filepath.Dir(d) {
			if nm := filepath.Join(d, "node_modules"); ok(nm) {
				return nm, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", ErrNotInstalled
}

func ok(nm string) bool {
	_, err := os.Stat(filepath.Join(nm, EChartsFile))
	return err == nil
}

// Path returns the absolute path of a file under node_modules (EChartsFile,
// AxeFile).
func Path(rel string) (string, error) {
	nm, err := NodeModules()
	if err != nil {
		return "", err
	}
	p, err := filepath.Abs(filepath.Join(nm, rel))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s: %w", rel, ErrNotInstalled)
	}
	return p, nil
}

// Read returns the bytes of a file under node_modules.
func Read(rel string) ([]byte, error) {
	p, err := Path(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
