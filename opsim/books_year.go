package opsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"huzhu/contract"
	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// tableBuilder gathers the rows of a small entity and sorts them into the
// order the HTTP API serves: updated_at, then natural key.
type tableBuilder struct {
	e    *contract.Entity
	end  record.Stamp
	rows []record.Row
	at   []record.Stamp
	keys []string
}

func newTableBuilder(name string, end record.Stamp) *tableBuilder {
	return &tableBuilder{e: contract.Lookup(name), end: end}
}

// add appends a row visible at `at`; rows after the as-of day are dropped.
func (t *tableBuilder) add(at record.Stamp, key string, fill func(r *record.Row)) {
	if at > t.end {
		return
	}
	var r record.Row
	fill(&r)
	t.rows = append(t.rows, r)
	t.at = append(t.at, at)
	t.keys = append(t.keys, key)
}

func (t *tableBuilder) table() *record.SliceTable {
	idx := make([]int, len(t.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if t.at[i] != t.at[j] {
			return t.at[i] < t.at[j]
		}
		return t.keys[i] < t.keys[j]
	})
	st := &record.SliceTable{E: t.e, Rows: make([]record.Row, len(idx)), At: make([]record.Stamp, len(idx))}
	for k, i := range idx {
		st.Rows[k] = t.rows[i]
		st.At[k] = t.at[i]
	}
	return st
}

// sortKey joins the fields of a natural key for sorting: the separator
// sorts below every character, so the order is the fields' order one by one,
// an absent (empty) field first — as a client comparing field by field sees it.
func sortKey(fields ...string) string { return strings.Join(fields, "\x1f") }

type flowKey struct {
	act  int
	acct string
	year int
}

func newBooks(op *Operator, ag *aggregates, key *keyWriter, line func(record.Stamp, *record.Row)) *books {
	end := op.w.P.AsOf.At(23, 59, 59)
	b := &books{op: op, w: op.w, ag: ag, st: op.staff(), bal: map[balKey]money.Cents{}, key: key, line: line,
		contrib: map[actYear]money.Cents{}, benefit: map[actYear]money.Cents{}, fees: map[int]money.Cents{},
		decided: map[string]decision{}, flow: map[flowKey][2]money.Cents{},
		holdings: newTableBuilder("investments", end), decisions: newTableBuilder("decisions", end),
		audits: newTableBuilder("audits", end), budgets: newTableBuilder("budgets", end),
		assistance: newTableBuilder("assistance", end), staffRows: newTableBuilder("staff_roles", end),
		accounts: newTableBuilder("bank_accounts", end)}
	return b
}

// feeRatio is the management-fee share of contribution income, per mille.
func (b *books) feeRatio(y int) int64 {
	if b.w.planting() && y == b.w.Start.Year() {
		switch b.op.Index {
		case 0:
			return 95 // R04 plant
		case 1:
			return 80 // R04 near miss: exactly at the threshold
		}
	}
	return 50
}

func (b *books) setup() {
	op, w := b.op, b.w
	for k, v := range b.ag.receipts {
		b.contrib[actYear{k.act, op.payDay(k).Year()}] += v
	}
	for k, v := range b.ag.approved {
		b.benefit[actYear{k.act, k.day.Year()}] += v
	}
	for y := w.Start.Year() - 1; y <= w.horizon.Year(); y++ {
		var total money.Cents
		for _, a := range op.Activities {
			total += b.contrib[actYear{a.Index, y}]
		}
		if w.planting() && y == w.Start.Year() {
			total += money.Yuan(150) // the planted R19 voucher credits 4101 too
		}
		b.fees[y] = total * money.Cents(b.feeRatio(y)) / 1000
	}
	b.staffAndAudits()
	// Bank accounts.
	opened := w.Start - 700
	for _, a := range append([]*Activity{nil}, op.Activities...) {
		if a != nil && a.Account == "" {
			continue
		}
		no, purpose, code := b.general, "general", ""
		if a != nil {
			no, purpose, code = a.Account, "activity_fund", a.Code
		}
		b.accounts.add(opened.At(10, 0, 0), no, func(r *record.Row) {
			r.Str(op.Code)
			r.Str(no)
			r.StrOrNull(code)
			r.Str(bankName(op))
			r.Str(purpose)
			r.Day(opened)
			r.Null()
			r.TS(opened.At(10, 0, 0))
		})
	}
	if w.planting() {
		b.key.rule(op, "activities", "OTH", "R06", "finding", 0, "enrolments but no bank account of its own")
		b.key.rule(op, "activities", "OTH", "R13", "finding", 0, "no approval_ref and no filing_ref")
		b.key.rule(op, "activities", "ACC", "R13", "clean", 0, "near miss: approved and filed")
	}
	// Annual decisions and budgets.
	for y := w.Start.Year(); y <= w.horizon.Year(); y++ {
		meet := record.DayOf(y-1, time.December, 18)
		ref := b.annualDecision(y)
		b.decided[ref] = decision{ref: ref, meeting: meet, body: "council", quorum: true}
		b.decisions.add(meet.At(17, 0, 0), ref, func(r *record.Row) {
			r.Str(op.Code)
			r.Str(ref)
			r.Day(meet)
			r.Str("council")
			r.Int(11)
			r.Bool(true)
			r.Str(fmt.Sprintf("%d年度预算及大额资金使用计划", y))
			r.Null()
			r.TS(meet.At(17, 0, 0))
		})
		b.budgetYear(y)
	}
}

func bankName(op *Operator) string {
	switch op.Region[:2] {
	case "33":
		return "中国农业银行浙江省分行"
	case "44":
		return "中国工商银行广东省分行"
	case "32":
		return "中国建设银行苏州分行"
	}
	return "中国银行四川省分行"
}

func (b *books) budgetYear(y int) {
	op, w := b.op, b.w
	r := newRng(w.P.Seed, 600, uint64(op.Index), uint64(y))
	approved := record.DayOf(y-1, time.December, 20)
	line := func(a *Activity, code string, amt money.Cents, version string, day record.Day) {
		act := ""
		if a != nil {
			act = a.Code
		}
		b.budgets.add(day.At(16, 0, 0), sortKey(act, fmt.Sprint(y), code, version), func(row *record.Row) {
			row.Str(op.Code)
			row.StrOrNull(act)
			row.Int(int64(y))
			row.Str(code)
			row.Str(version)
			row.Cents(amt)
			row.Day(day)
			row.TS(day.At(16, 0, 0))
		})
	}
	near := func(actual money.Cents) money.Cents { // within ±4%
		return actual * money.Cents(960+r.intn(81)) / 1000
	}
	plant := w.planting() && op.Index == 0 && y == w.Start.Year()
	for _, a := range op.Activities {
		c, bf := b.contrib[actYear{a.Index, y}], b.benefit[actYear{a.Index, y}]
		inc, exp := near(c), near(bf)
		if plant {
			switch a.Spec.code {
			case "ACC":
				exp = bf * 100 / 125
				b.key.rule(op, "budgets", "ACC|"+fmt.Sprint(y)+"|5101", "R09", "finding", y, "benefits 25% over budget")
			case "INP":
				exp = bf * 10 / 25
				b.key.add(KeyEntry{Kind: "rule", Operator: op.Code, Entity: "budgets", Key: "INP|" + fmt.Sprint(y) + "|5101", Code: "R09", Expect: "finding", Severity: "major", Year: y, Note: "benefits 2.5× the budget"})
			case "RET":
				exp = (bf*100 + 109) / 110
				b.key.rule(op, "budgets", "RET|"+fmt.Sprint(y)+"|5101", "R09", "clean", y, "near miss: benefits exactly 10% over budget at most")
			case "FEM":
				inc = c * 125 / 100
				b.key.rule(op, "budgets", "FEM|"+fmt.Sprint(y)+"|4101", "R09", "finding", y, "contribution income 20% below budget")
			}
		}
		line(a, "4101", inc, "original", approved)
		line(a, "5101", exp, "original", approved)
		if a.Spec.code == "CI3" {
			line(a, "5101", exp*102/100, "adjusted", record.DayOf(y, time.July, 20))
		}
	}
	line(nil, "5201", near(b.fees[y]), "original", approved)
	line(nil, "5301", near(assistancePerYear(op, y, "5301")), "original", approved)
	line(nil, "5302", near(assistancePerYear(op, y, "5302")), "original", approved)
	if plant {
		b.key.rule(op, "budgets", "|"+fmt.Sprint(y)+"|5901", "R09", "finding", y, "spending on a line without a budget")
	}
}

func (b *books) staffAndAudits() {
	op, w := b.op, b.w
	st := b.st
	change := w.Start + 200
	type role struct {
		id, role   string
		start, end record.Day
	}
	roles := []role{
		{st.leader, "leader", w.Start - 1900, change},
		{st.leader2, "leader", change + 1, 0},
		{st.finance, "finance_head", w.Start - 1200, 0},
		{st.cashier, "cashier", w.Start - 900, 0},
		{st.accountant, "accountant", w.Start - 800, 0},
		{st.officer, "claims_officer", w.Start - 600, 0},
	}
	for _, ro := range roles {
		r := newRng(w.P.Seed, 700, uint64(op.Index), strHash(ro.id))
		name := personName(&r)
		at := ro.start.At(9, 0, 0)
		end := ro.end
		if end != 0 && end <= w.P.AsOf {
			at = end.At(17, 0, 0)
		} else {
			end = 0
		}
		ro := ro
		b.staffRows.add(at, sortKey(ro.id, ro.role, ro.start.String()), func(r *record.Row) {
			r.Str(op.Code)
			r.Str(ro.id)
			r.Str(name)
			r.Str(ro.role)
			r.Day(ro.start)
			r.DayOrNull(end)
			r.TS(at)
		})
	}
	audit := func(id, typ, subject string, from, to, report record.Day, findings int) {
		b.audits.add(report.At(15, 0, 0), id, func(r *record.Row) {
			r.Str(op.Code)
			r.Str(id)
			r.Str(typ)
			r.StrOrNull(subject)
			r.Day(from)
			r.Day(to)
			r.Day(report)
			if findings > 2 {
				r.Str("qualified")
			} else {
				r.Str("unqualified")
			}
			r.Int(int64(findings))
			r.TS(report.At(15, 0, 0))
		})
	}
	// The leader's departure audit: missing at operator 0, at exactly 180
	// days at operator 1 (a near miss), within 90 days elsewhere.
	visible := change+181 <= w.P.AsOf
	switch {
	case w.planting() && op.Index == 0:
		if visible {
			b.key.rule(op, "staff_roles", st.leader+"|leader|"+(w.Start-1900).String(), "R16", "finding", change.Year(), "leader left without a departure audit")
		}
	case w.planting() && op.Index == 1:
		audit(op.Short+"AUD1", "departure", st.leader, w.Start-1900, change, change+180, 1)
		if visible {
			b.key.rule(op, "staff_roles", st.leader+"|leader|"+(w.Start-1900).String(), "R16", "clean", change.Year(), "near miss: departure audit exactly 180 days after")
		}
	default:
		audit(op.Short+"AUD1", "departure", st.leader, w.Start-1900, change, change+60, 0)
	}
	missing := 0
	if len(w.Operators) >= 2 || op.Index == 2 {
		missing = 2
	}
	for y := w.Start.Year() - 1; y <= w.horizon.Year(); y++ {
		report := record.DayOf(y+1, time.March, 31)
		if w.planting() && op.Index == missing && y == w.Start.Year() {
			if report+90 <= w.P.AsOf {
				b.key.rule(op, "audits", fmt.Sprint(y), "R16", "finding", y, "no annual audit for the year")
			}
			continue
		}
		r := newRng(w.P.Seed, 710, uint64(op.Index), uint64(y))
		audit(fmt.Sprintf("%sAU%d", op.Short, y), "annual", "", record.DayOf(y, time.January, 1), record.DayOf(y, time.December, 31), report, r.intn(4))
	}
}

// assistancePerYear is the deterministic assistance spending of a year by
// account (5301 member activities, 5302 hardship assistance).
func assistancePerYear(op *Operator, y int, acct string) money.Cents {
	var s money.Cents
	for _, m := range []time.Month{time.April, time.October} {
		s += assistanceAmount(op, y, m, acct)
	}
	return s
}

func assistanceAmount(op *Operator, y int, m time.Month, acct string) money.Cents {
	r := newRng(op.w.P.Seed, 800, uint64(op.Index), uint64(y), uint64(m), strHash(acct))
	return money.Yuan(int64(20000 + r.intn(60000)))
}

var assistanceText = map[string][]string{
	"5301": {"职工健步走活动", "女职工关爱活动👩‍👩‍👧", "会员健康讲座", "职工读书月活动📚"},
	"5302": {"困难职工帮扶救助", "大病职工帮扶慰问", "困難職工節日慰問", "一线职工夏季送清凉"},
}

func (b *books) assistanceItems(d record.Day) {
	op, w := b.op, b.w
	y, m, _ := d.Date()
	for k, acct := range []string{"5301", "5302"} {
		kind := "member_activity"
		if acct == "5302" {
			kind = "hardship_assistance"
		}
		amt := assistanceAmount(op, y, m, acct)
		r := newRng(w.P.Seed, 810, uint64(op.Index), uint64(d), uint64(k))
		desc := pick(&r, assistanceText[acct])
		id := fmt.Sprintf("%sAS%s%d", op.Short, d.Time().Format("20060102"), k)
		v := b.newVoucher(d, "V").dr(nil, acct, amt, "", "", desc).cr(nil, "1002", amt, b.general, "", desc)
		v.paidBy = b.st.cashier
		approved, voucherNo := b.annualDecision(y), v.no
		pub := d + 10
		plantYear := w.planting() && y == w.Start.Year() && m == time.April
		if plantYear {
			switch k {
			case 0:
				approved = ""
				b.key.rule(op, "assistance", id, "R05", "finding", y, "no approval reference")
			case 1:
				pub = 0
				b.key.rule(op, "assistance", id, "R05", "finding", y, "never publicised")
			}
		}
		b.assistanceRow(id, kind, desc, amt, approved, pub, voucherNo, d)
		if plantYear && k == 1 {
			id2 := id + "X"
			b.assistanceRow(id2, kind, "临时困难救助", money.Yuan(5000), approved, d+10, op.Short+"NOSUCHVOUCHER", d)
			b.key.rule(op, "assistance", id2, "R05", "finding", y, "no posted voucher of 5301/5302")
			b.key.rule(op, "assistance", fmt.Sprintf("%sAS%s%d", op.Short, d.Time().Format("20060102"), 0)+"", "R05", "finding", y, "")
		}
	}
}

func (b *books) assistanceRow(id, kind, desc string, amt money.Cents, approved string, pub record.Day, voucherNo string, d record.Day) {
	op := b.op
	at := d.At(11, 0, 0)
	shown := pub
	if pub != 0 && pub <= b.w.P.AsOf {
		at = pub.At(11, 0, 0)
	} else {
		shown = 0
	}
	b.assistance.add(at, id, func(r *record.Row) {
		r.Str(op.Code)
		r.Str(id)
		r.Null()
		r.Str(kind)
		r.Str(desc)
		r.Cents(amt)
		r.StrOrNull(approved)
		r.DayOrNull(shown)
		r.Str(voucherNo)
		r.TS(at)
	})
}
