package site

import (
	"slices"
	"strconv"
	"strings"

	"huzhu/internal/codes"
)

// Listing limits. A listing that grows with the number of pools or
// operators is summarised or split into pages beyond them, so that no page
// outgrows PageBudget however large the deployment (doc.go).
const (
	// homeListMax is the most operators (and pools) the home page lists one
	// by one; beyond it the home page sums by province.
	homeListMax = 60
	// poolsPerPage is the most pools on one page of a province's listing.
	poolsPerPage = 40
	// opsPerPage is the most operators on one page of a pool's listing.
	opsPerPage = 100
	// poolSeriesMax is the most operators a pool's history draws one by one;
	// beyond it the history shows the pool's totals.
	poolSeriesMax = 20
)

// province groups the pools of one provincial-level region (the first two
// digits of the pool's region code; a national pool or one without a code
// gets a group of its own).
type province struct {
	Code  string // six digits ("330000"), or "000000" for national/unknown
	Name  string
	Pools []*Pool
	Ops   int
}

// provinceKey is the group of a pool and the group's name.
func provinceKey(pl *Pool) (code, name string) {
	code = codes.Province(pl.Region)
	if pl.Level == "national" || code == "" || code == "000000" {
		return "000000", "全国及未注明省份"
	}
	if n, ok := codes.Region(code); ok {
		return code, n
	}
	return code, "地区代码 " + code
}

// groupProvinces sorts the pools into provinces, by province code and,
// within one, in the pools' own (code) order.
func (x *index) groupProvinces() {
	x.provOf = map[string]*province{}
	by := map[string]*province{}
	for i := range x.d.Pools {
		pl := &x.d.Pools[i]
		code, name := provinceKey(pl)
		pv := by[code]
		if pv == nil {
			pv = &province{Code: code, Name: name}
			by[code] = pv
			x.provinces = append(x.provinces, pv)
		}
		pv.Pools = append(pv.Pools, pl)
		pv.Ops += len(x.opsOf[pl.Code])
		x.provOf[pl.Code] = pv
	}
	slices.SortFunc(x.provinces, func(a, b *province) int { return strings.Compare(a.Code, b.Code) })
}

func provincePath(code string) string { return "province/" + code + ".html" }

// pagePath is the file of page n (from 1) of a listing whose first page is
// first: first itself, then <first>-page-<n>.html.
func pagePath(first string, n int) string {
	if n <= 1 {
		return first
	}
	return strings.TrimSuffix(first, ".html") + "-page-" + strconv.Itoa(n) + ".html"
}

// pageCount is how many pages of per items n items fill (at least one).
func pageCount(n, per int) int { return max(1, (n+per-1)/per) }

// chunk is the items of page n (from 1).
func chunk[T any](items []T, per, n int) []T {
	lo := min(len(items), (n-1)*per)
	return items[lo:min(len(items), lo+per)]
}

// pager is the navigation between the pages of one listing: links to the
// first and last page, to the pages near the current one, and to the pages
// before and after it. All pages of a listing sit in one folder, so a link
// is a file name.
type pager struct {
	Cur, Total, Items int
	Prev, Next        string
	Links             []pageLink
}

type pageLink struct {
	Text, Href string
	Current    bool
}

// newPager is the pager of page cur of total pages of a listing of items
// whose first page is first (a path from the site root); nil when there
// is one page.
func newPager(first string, cur, total, items int) *pager {
	if total <= 1 {
		return nil
	}
	base := first[strings.LastIndexByte(first, '/')+1:]
	href := func(n int) string { return pagePath(base, n) }
	pg := &pager{Cur: cur, Total: total, Items: items}
	if cur > 1 {
		pg.Prev = href(cur - 1)
	}
	if cur < total {
		pg.Next = href(cur + 1)
	}
	last := 0
	for n := 1; n <= total; n++ {
		if n != 1 && n != total && (n < cur-2 || n > cur+2) {
			continue
		}
		if last != 0 && n > last+1 {
			pg.Links = append(pg.Links, pageLink{Text: "…"})
		}
		pg.Links = append(pg.Links, pageLink{Text: strconv.Itoa(n), Href: href(n), Current: n == cur})
		last = n
	}
	return pg
}

// pageSuffix is what a page's title adds for page n of total.
func pageSuffix(n, total int) string {
	if total <= 1 {
		return ""
	}
	return "（第 " + strconv.Itoa(n) + " 页，共 " + strconv.Itoa(total) + " 页）"
}

// pagedID is a table's id on page n: the id itself on the first page.
func pagedID(id string, n int) string {
	if n <= 1 {
		return id
	}
	return id + "-page-" + strconv.Itoa(n)
}

// poolTotals sums contributions per pool and year over the pool's
// operators' totals (hidden where one of them is), once per build.
func (x *index) poolTotals() (map[string]map[int]hidable, []int) {
	x.totalsOnce.Do(func() {
		years := map[int]bool{}
		x.poolSum = map[string]map[int]hidable{}
		for _, pl := range x.d.Pools {
			s := map[int]hidable{}
			for _, o := range x.opsOf[pl.Code] {
				for _, y := range x.operatorYears(o.Code) {
					h := s[y.Year]
					h.add(y.Contributions)
					s[y.Year] = h
					years[y.Year] = true
				}
			}
			x.poolSum[pl.Code] = s
		}
		x.sumYears = sortedYears(years)
	})
	return x.poolSum, x.sumYears
}
