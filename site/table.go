package site

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"html"
	"html/template"
	"strconv"
	"strings"

	"huzhu/internal/money"
)

// Table is one table of a page; it is also published as CSV and JSON.
type Table struct {
	ID      string   // unique on the page; also the download's file name
	Caption string   // what the table shows, in words
	Cols    []string // headers as shown
	Keys    []string // machine column names of the downloads
	Rows    [][]Cell
	ChartID string // the chart that draws these numbers, if any
	File    string // download path from the site root without extension
	Shared  bool   // File belongs to another page (not written again)
}

// Cell is one table cell: Text as shown, Raw for the downloads (and the
// data-v attribute of numeric cells).
type Cell struct {
	Text, Raw string
	Num       bool
	Null      bool // no value (JSON null, empty CSV cell)
	Sup       bool // suppressed (below k)
	Href      string
}

// fmtr formats figures for people, with the k in force.
type fmtr struct{ k int }

func (f fmtr) supText() string { return "<" + strconv.Itoa(f.k) }

func (f fmtr) sup() Cell { return Cell{Text: f.supText(), Raw: f.supText(), Num: true, Sup: true} }

// hiddenText marks a suppressed amount, ratio or number of days: "<10"
// there would read as less than 10 yuan, or 10%.
const hiddenText = "隐去"

// hidden is a suppressed figure that is not a count of people or claims.
func (f fmtr) hidden() Cell { return Cell{Text: hiddenText, Raw: hiddenText, Num: true, Sup: true} }

func textCell(s string) Cell { return Cell{Text: s, Raw: s} }

func linkCell(s, href string) Cell { return Cell{Text: s, Raw: s, Href: href} }

func nullCell() Cell { return Cell{Text: "—", Num: true, Null: true} }

func (f fmtr) money(c money.Cents) Cell {
	return Cell{Text: money.FormatCNY(c), Raw: c.String(), Num: true}
}

// moneyOr shows a possibly suppressed or missing amount.
func (f fmtr) moneyOr(c *money.Cents, suppressed bool) Cell {
	switch {
	case c != nil:
		return f.money(*c)
	case suppressed:
		return f.hidden()
	}
	return nullCell()
}

func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (f fmtr) count(n int64) Cell {
	return Cell{Text: groupInt(n), Raw: strconv.FormatInt(n, 10), Num: true}
}

func (f fmtr) countOr(n *int64, suppressed bool) Cell {
	switch {
	case n != nil:
		return f.count(*n)
	case suppressed:
		return f.sup()
	}
	return nullCell()
}

// ratio shows a share as a percentage with one decimal; Raw keeps four
// decimals of the ratio.
func (f fmtr) ratioOr(r *float64, suppressed bool) Cell {
	switch {
	case r != nil:
		return Cell{Text: strconv.FormatFloat(*r*100, 'f', 1, 64) + "%", Raw: strconv.FormatFloat(*r, 'f', 4, 64), Num: true}
	case suppressed:
		return f.hidden()
	}
	return nullCell()
}

func (f fmtr) daysOr(d *float64, suppressed bool) Cell {
	switch {
	case d != nil:
		s := strconv.FormatFloat(*d, 'f', 1, 64)
		return Cell{Text: s + " 天", Raw: s, Num: true}
	case suppressed:
		return f.hidden()
	}
	return nullCell()
}

func (f fmtr) score(v float64) Cell {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	return Cell{Text: s, Raw: s, Num: true}
}

// csvBytes is the table as CSV: a header of Keys, then Raw values.
func (t *Table) csvBytes() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(t.Keys)
	rec := make([]string, len(t.Keys))
	for _, r := range t.Rows {
		for i, c := range r {
			rec[i] = c.Raw
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// jsonBytes is the table as JSON: {"caption", "columns", "rows": [{key:
// value}]}, a suppressed value as "<k", a missing one as null; keys keep
// column order.
func (t *Table) jsonBytes() []byte {
	var b bytes.Buffer
	b.WriteString(`{"caption":`)
	writeJSONString(&b, t.Caption)
	b.WriteString(`,"columns":[`)
	for i, k := range t.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, k)
	}
	b.WriteString("],\"rows\":[")
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n{")
		for j, c := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, t.Keys[j])
			b.WriteByte(':')
			switch {
			case c.Null:
				b.WriteString("null")
			case c.Num && !c.Sup:
				b.WriteString(c.Raw)
			default:
				writeJSONString(&b, c.Raw)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// html renders the table, its scroll region and its download links; root
// prefixes the links ("" or "../"). Written by hand rather than with
// html/template: it is most of a page's bytes and of its rendering time.
// Every text goes through html.EscapeString.
func (t *Table) html(root string) template.HTML {
	var b strings.Builder
	b.Grow(256 + 64*len(t.Rows)*len(t.Cols))
	esc := html.EscapeString
	cap := esc(t.Caption)
	b.WriteString("\n<div class=\"scroll\" role=\"region\" aria-label=\"" + cap + "\" tabindex=\"0\">\n<table id=\"t-" + esc(t.ID) + "\"")
	if t.ChartID != "" {
		b.WriteString(" data-chart=\"" + esc(t.ChartID) + "\"")
	}
	b.WriteString(">\n<caption>" + cap + "</caption>\n<thead><tr>")
	for _, c := range t.Cols {
		b.WriteString("<th scope=\"col\">" + esc(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>")
	for _, r := range t.Rows {
		b.WriteString("\n<tr>")
		for i, c := range r {
			switch {
			case i == 0:
				b.WriteString("<th scope=\"row\">")
			case c.Num && c.Sup:
				b.WriteString("<td class=\"n sup\" data-v=\"" + esc(c.Raw) + "\">")
			case c.Num:
				b.WriteString("<td class=\"n\" data-v=\"" + esc(c.Raw) + "\">")
			default:
				b.WriteString("<td>")
			}
			if c.Href != "" {
				b.WriteString("<a href=\"" + esc(c.Href) + "\">" + esc(c.Text) + "</a>")
			} else {
				b.WriteString(esc(c.Text))
			}
			if i == 0 {
				b.WriteString("</th>")
			} else {
				b.WriteString("</td>")
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("\n</tbody>\n</table>\n</div>\n<p class=\"dl\">下载本表：<a href=\"" + esc(root+t.File) + ".csv\">CSV</a> · <a href=\"" + esc(root+t.File) + ".json\">JSON</a></p>")
	return template.HTML(b.String())
}
