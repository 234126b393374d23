package codes

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// regionsCSV is the GB/T 2260 table the project uses: a header "code,name",
// then one region a line. It holds the 31 provincial-level divisions of the
// mainland; every prefecture of Zhejiang, Guangdong, Jiangsu and Sichuan;
// and the county-level divisions of Hangzhou, Quzhou, Guangzhou, Shenzhen,
// Suzhou and Chengdu, as currently coded (Hangzhou after its 2021 redrawing,
// so 330103 下城区 and 330104 江干区 are gone). Add lines here, sorted, as the
// operators need them.
//
//go:embed regions.csv
var regionsCSV string

// regionTable is the parsed regionsCSV: names by code and the sorted codes.
type regionTable struct {
	names map[string]string
	codes []string
}

// regions parses regionsCSV once. It panics on a malformed table, which is
// a build defect that the package tests catch.
var regions = sync.OnceValue(func() regionTable {
	t, err := parseRegions(regionsCSV)
	if err != nil {
		panic(err)
	}
	return t
})

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

// RegionsUnder returns, sorted, the table's codes that start with prefix,
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
	for _, c := range regions().codes {
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
