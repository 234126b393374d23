package opsim

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"huzhu/opsim/httpapi"
)

// DropFaults are the faults a file drop can carry, as probabilities per
// operator batch (at most one fault a batch): what contract-v1 says a
// client must catch, "a batch whose manifest does not match its files
// (rows, checksum) is rejected whole and reported".
type DropFaults struct {
	Rows     float64 // "rows": the manifest states one file's rows one too many
	Truncate float64 // "truncate": one file cut to half its bytes after the manifest was written
	Missing  float64 // "missing": one file the manifest lists is not there
}

// ParseDropFaults reads "rows=0.2,truncate=0.1,missing=0.1" (as the HTTP
// faults are written: httpapi.ParseSpec); an empty spec is no fault.
func ParseDropFaults(spec string) (DropFaults, error) {
	p, err := httpapi.ParseSpec(spec, "rows", "truncate", "missing")
	if err != nil {
		return DropFaults{}, fmt.Errorf("opsim: drop %w", err)
	}
	f := DropFaults{Rows: p["rows"], Truncate: p["truncate"], Missing: p["missing"]}
	if f.Rows+f.Truncate+f.Missing > 1 {
		return DropFaults{}, fmt.Errorf("opsim: drop fault spec %q: the probabilities add up to more than 1", spec)
	}
	return f, nil
}

// apply gives one operator's batch in dir its fault, if its draw (from the
// world's seed: the same drop faults the same batches) falls on one, and
// returns the file it spoiled ("" for none). m is the manifest about to be
// written, which the rows fault changes.
func (f DropFaults) apply(w *World, op *Operator, dir string, m *Manifest) (fault, file string, err error) {
	if f == (DropFaults{}) {
		return "", "", nil
	}
	r := newRng(w.P.Seed, 700, uint64(op.Index))
	x := r.float()
	names := make([]string, 0, len(m.Files))
	for name := range m.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	file = names[r.intn(len(names))]
	path := filepath.Join(dir, file)
	switch {
	case x < f.Rows:
		mf := m.Files[file]
		mf.Rows++
		m.Files[file] = mf
		return "rows", file, nil
	case x < f.Rows+f.Truncate:
		st, err := os.Stat(path)
		if err != nil {
			return "", "", err
		}
		return "truncate", file, os.Truncate(path, st.Size()/2)
	case x < f.Rows+f.Truncate+f.Missing:
		return "missing", file, os.Remove(path)
	}
	return "", "", nil
}
