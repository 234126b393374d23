package reports

import (
	"bytes"
	"embed"
	"html/template"
)

//go:embed templates/page.html.tmpl templates/report.css
var templateFS embed.FS

var pageTemplate = template.Must(template.New("page.html.tmpl").Funcs(template.FuncMap{
	"cells": displayCells,
}).ParseFS(templateFS, "templates/page.html.tmpl"))

// page is one HTML report page: sections of text, charts and tables.
type page struct {
	Title, Subtitle string
	AsOf            string // "2025年6月30日"
	Root            string // the way up to the jurisdiction folder: "" or "../"
	Workbook        string // the page's XLSX, relative to the page
	Self            string // the page's file name, which its Nav marks as the current page
	Nav             []navLink
	Sections        []*section
}

type navLink struct{ Text, Href string }

type section struct {
	ID, Heading string
	Sub         bool // a subsection (h3)
	Paras       []string
	Items       []string
	Links       []navLink
	Charts      []chart
	Tables      []*table
}

// tables returns the page's tables in order, for its workbook.
func (p *page) tables() []*table {
	var out []*table
	for _, s := range p.Sections {
		for _, t := range s.Tables {
			if !t.PageOnly {
				out = append(out, t)
			}
		}
	}
	return out
}

type dispCell struct {
	Text, Link, Class string
}

func displayCells(t *table, r row) []dispCell {
	out := make([]dispCell, len(r.Cells))
	for i, c := range r.Cells {
		k := t.Cols[i].Kind
		d := dispCell{Text: c.show(k), Link: c.Link}
		switch k {
		case text:
		case code:
			d.Class = "k"
		case label:
			d.Class = "w"
		default:
			d.Class = "n"
		}
		out[i] = d
	}
	return out
}

// render writes the page's HTML and its workbook (nil when it has no
// table).
func (p *page) render(title string) (html, xlsx []byte, err error) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return nil, nil, err
	}
	// A page that names its workbook has one, without tables too (a night
	// with no scores yet): the page links it.
	if ts := p.tables(); len(ts) > 0 || p.Workbook != "" {
		if xlsx, err = workbook(title, ts); err != nil {
			return nil, nil, err
		}
	}
	return buf.Bytes(), xlsx, nil
}

func stylesheet() []byte {
	b, err := templateFS.ReadFile("templates/report.css")
	if err != nil {
		panic(err) // embedded
	}
	return b
}
