package reports

import (
	"slices"
	"testing"

	"huzhu/internal/money"
)

// TestFlowLinksDeficitYear: a year that brings a deficit in and carries
// one out, with reversals of income and expense and a release of the
// reserve (the mart's signed edges), draws every link positive, as much
// into the fund as out of it, each node on one side of the fund only, and
// each negative edge reversed under its own name.
func TestFlowLinksDeficitYear(t *testing.T) {
	edge := func(source, target string, yuan int64) flowEdge {
		return flowEdge{Year: 2024, Activity: "INP", Source: source, Target: target, Amount: money.Cents(yuan * 100)}
	}
	es := []flowEdge{
		edge("balance brought forward", "fund", -500),
		edge("4101 互助金收入", "fund", 1000),
		edge("4102 其他收入", "fund", -20),
		edge("capital", "fund", 0),
		edge("fund", "5101 互助金给付", 800),
		edge("fund", "5201 管理费用", -10),
		edge("fund", "reserve", -30),
		edge("fund", "balance carried forward", -280),
	}
	nodes, links := flowLinks(es)
	got := map[[2]string]string{}
	var in, out money.Cents
	sources, targets := map[string]bool{}, map[string]bool{}
	for _, l := range links {
		v, err := money.Parse(string(l.Value))
		if err != nil || v <= 0 {
			t.Errorf("link %s → %s: value %s, want a positive amount", l.Source, l.Target, l.Value)
		}
		switch {
		case l.Target == "互助资金":
			in += v
		case l.Source == "互助资金":
			out += v
		default:
			t.Errorf("link %s → %s passes the fund by", l.Source, l.Target)
		}
		got[[2]string{l.Source, l.Target}] = string(l.Value)
		sources[l.Source], targets[l.Target] = true, true
		for _, n := range []string{l.Source, l.Target} {
			if !slices.Contains(nodes, n) {
				t.Errorf("link %s → %s names %q, which is no node", l.Source, l.Target, n)
			}
		}
	}
	if in != out || in != money.Cents(132000) {
		t.Errorf("into the fund %s, out of it %s; want 1320.00 both", in, out)
	}
	for n := range sources {
		if n != "互助资金" && targets[n] {
			t.Errorf("node %q is on both sides of the fund: a cycle", n)
		}
	}
	want := map[[2]string]string{
		{"互助资金", "弥补上年赤字"}:         "500.00",
		{"收入：4101 互助金收入", "互助资金"}:  "1000.00",
		{"互助资金", "收入冲回：4102 其他收入"}: "20.00",
		{"互助资金", "支出：5101 互助金给付"}:  "800.00",
		{"支出冲回：5201 管理费用", "互助资金"}: "10.00",
		{"动用风险准备金", "互助资金"}:        "30.00",
		{"结转下年的赤字", "互助资金"}:        "280.00",
	}
	if len(got) != len(want) {
		t.Errorf("links %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("link %s → %s = %q; want %s", k[0], k[1], got[k], v)
		}
	}
}

// TestFlowLinksSurplusYear: an ordinary year keeps the mart's directions
// and names, and a year without flows draws the fund alone.
func TestFlowLinksSurplusYear(t *testing.T) {
	es := []flowEdge{
		{Source: "balance brought forward", Target: "fund", Amount: 10000},
		{Source: "4101 互助金收入", Target: "fund", Amount: 50000},
		{Source: "fund", Target: "5101 互助金给付", Amount: 30000},
		{Source: "fund", Target: "reserve", Amount: 5000},
		{Source: "fund", Target: "balance carried forward", Amount: 25000},
	}
	_, links := flowLinks(es)
	var got [][2]string
	for _, l := range links {
		got = append(got, [2]string{l.Source, l.Target})
	}
	want := [][2]string{{"上年结转", "互助资金"}, {"收入：4101 互助金收入", "互助资金"}, {"互助资金", "支出：5101 互助金给付"},
		{"互助资金", "提取风险准备金"}, {"互助资金", "结转下年"}}
	if !slices.Equal(got, want) {
		t.Errorf("links %v; want %v", got, want)
	}
	if nodes, links := flowLinks(nil); !slices.Equal(nodes, []string{"互助资金"}) || len(links) != 0 {
		t.Errorf("no flows: nodes %v, links %v; want the fund alone", nodes, links)
	}
}
