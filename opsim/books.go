package opsim

import (
	"fmt"
	"sort"
	"time"

	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// aggregates are what the books need from the member pass: sums by union
// payment, by day and by month, over every event up to the horizon whatever
// the as-of day, so that the books of a day never depend on the as-of day.
type aggregates struct {
	receipts map[recvKey]money.Cents
	refunds  map[actMonth]money.Cents
	approved map[actDay]money.Cents
	paid     map[actDay]money.Cents
	enrolled map[actYear]int // members covered by an activity in a year
}

type recvKey struct {
	act, union, year int
}
type actDay struct {
	act int
	day record.Day
}
type actMonth struct{ act, ym int }
type actYear struct{ act, year int }

func newAggregates() *aggregates {
	return &aggregates{receipts: map[recvKey]money.Cents{}, refunds: map[actMonth]money.Cents{},
		approved: map[actDay]money.Cents{}, paid: map[actDay]money.Cents{}, enrolled: map[actYear]int{}}
}

func ym(d record.Day) int { y, m, _ := d.Date(); return y*100 + int(m) }

// add records one member's events.
func (a *aggregates) add(d *memberDraw) {
	for i := range d.enrols {
		e := &d.enrols[i]
		if e.refund {
			a.refunds[actMonth{e.act.Index, ym(e.paid.Day())}] += -e.amount
			continue
		}
		amt := e.amount
		if d.plant == plantNegative && i == 0 {
			amt = 0 // the negative row is quarantined; the union paid nothing for it
		}
		a.receipts[recvKey{e.act.Index, d.union, e.startYear}] += amt
		for y := e.startYear; y < e.startYear+e.act.Spec.months/12; y++ {
			a.enrolled[actYear{e.act.Index, y}]++
		}
	}
	for i := range d.claims {
		c := &d.claims[i]
		if c.decided == 0 || c.rejected || c.defect == plantFuture {
			continue
		}
		a.approved[actDay{c.act.Index, c.decided.Day()}] += c.approved
		if c.paid != 0 {
			a.paid[actDay{c.act.Index, c.paid.Day()}] += c.approved
		}
	}
}

// payDay is the day a union paid for an activity's period.
func (op *Operator) payDay(k recvKey) record.Day {
	_, at := op.unionPeriod(k.union, op.Activities[k.act], k.year)
	return at.Day()
}

// Staff of an operator.
type staff struct{ leader, leader2, finance, cashier, accountant, officer string }

func (op *Operator) staff() staff {
	s := op.Short
	return staff{s + "S01", s + "S02", s + "S11", s + "S21", s + "S31", s + "S41"}
}

// books generates an operator's ledger and the small entities around it.
type books struct {
	op   *Operator
	w    *World
	ag   *aggregates
	st   staff
	bal  map[balKey]money.Cents // debit-positive balance by activity (-1 org) and account
	day  []*voucher
	key  *keyWriter
	line func(at record.Stamp, r *record.Row)
	row  record.Row
	seq  int
	// yearly figures the key and the budgets use
	contrib map[actYear]money.Cents
	benefit map[actYear]money.Cents
	fees    map[int]money.Cents
	deps    []*deposit
	general string
	decided map[string]decision
	flow    map[flowKey][2]money.Cents // debits and credits by activity, account and year
	r06done bool
	seqD    int
	// small entities, as rows to be sorted into tables
	holdings, decisions, audits, budgets, assistance, staffRows, accounts *tableBuilder
}

type balKey struct {
	act  int
	acct string
}

type voucher struct {
	no         string
	day        record.Day
	lines      []vline
	prep, appr string
	paidBy     string
	decision   string
}

type vline struct {
	act                 *Activity
	acct                string
	debit, credit       money.Cents
	bank, cpty, summary string
}

type deposit struct {
	id        string
	act       *Activity
	kind      string
	principal money.Cents
	start     record.Day
	maturity  record.Day
	rateBP    int64 // basis points a year
	issuer    string
	name      string
	coupon    bool // pays interest twice a year
	done      bool
}

type decision struct {
	ref     string
	meeting record.Day
	body    string
	quorum  bool
	subject string
	limit   money.Cents // 0: no limit
	at      record.Stamp
}

func actIdx(a *Activity) int {
	if a == nil {
		return -1
	}
	return a.Index
}

func (b *books) newVoucher(day record.Day, prefix string) *voucher {
	b.seq++
	y, m, d := day.Date()
	v := &voucher{no: fmt.Sprintf("%s%04d%02d%02d-%05d", prefix, y, int(m), d, b.seq), day: day, prep: b.st.accountant, appr: b.st.finance}
	b.day = append(b.day, v)
	return v
}

func (v *voucher) dr(a *Activity, acct string, amt money.Cents, bank, cpty, summary string) *voucher {
	v.lines = append(v.lines, vline{act: a, acct: acct, debit: amt, bank: bank, cpty: cpty, summary: summary})
	return v
}

func (v *voucher) cr(a *Activity, acct string, amt money.Cents, bank, cpty, summary string) *voucher {
	v.lines = append(v.lines, vline{act: a, acct: acct, credit: amt, bank: bank, cpty: cpty, summary: summary})
	return v
}

func (b *books) bank(a *Activity) string {
	if a == nil {
		return b.general
	}
	return a.Account
}

// flush posts the day's vouchers in voucher-number order and writes them.
func (b *books) flush() {
	sort.Slice(b.day, func(i, j int) bool { return b.day[i].no < b.day[j].no })
	for _, v := range b.day {
		for i, l := range v.lines {
			b.bal[balKey{actIdx(l.act), l.acct}] += l.debit - l.credit
			fk := flowKey{actIdx(l.act), l.acct, v.day.Year()}
			f := b.flow[fk]
			f[0] += l.debit
			f[1] += l.credit
			b.flow[fk] = f
			if v.day > b.w.P.AsOf {
				continue
			}
			r := &b.row
			r.Reset()
			r.Str(b.op.Code)
			r.Str(v.no)
			r.Int(int64(i + 1))
			if l.act == nil {
				r.Null()
			} else {
				r.Str(l.act.Code)
			}
			r.Day(v.day)
			r.Str(l.acct)
			r.Cents(l.debit)
			r.Cents(l.credit)
			r.StrOrNull(l.bank)
			r.StrOrNull(l.cpty)
			r.Str(l.summary)
			r.Str(v.prep)
			r.Str(v.appr)
			r.StrOrNull(v.paidBy)
			r.StrOrNull(v.decision)
			r.TS(v.day.At(18, 0, 0))
			b.line(v.day.At(18, 0, 0), r)
		}
	}
	b.day = b.day[:0]
}

func (b *books) balance(a *Activity, acct string) money.Cents { return b.bal[balKey{actIdx(a), acct}] }

// Ledger generation ------------------------------------------------------

func (b *books) run() {
	op, w := b.op, b.w
	asOf := w.P.AsOf
	b.general = op.Short + "-GEN-0001"
	b.setup()
	byDay := map[record.Day][]recvKey{}
	for k := range b.ag.receipts {
		d := op.payDay(k)
		if d >= w.Start && d <= asOf {
			byDay[d] = append(byDay[d], k)
		}
	}
	for d := w.Start; d <= asOf; d++ {
		if d == w.Start {
			b.opening()
		}
		ks := byDay[d]
		sort.Slice(ks, func(i, j int) bool {
			if ks[i].act != ks[j].act {
				return ks[i].act < ks[j].act
			}
			if ks[i].union != ks[j].union {
				return ks[i].union < ks[j].union
			}
			return ks[i].year < ks[j].year
		})
		for _, k := range ks {
			amt := b.ag.receipts[k]
			if amt == 0 {
				continue
			}
			a := op.Activities[k.act]
			u := &op.Unions[k.union]
			sum := fmt.Sprintf("%s缴纳%d年度%s互助金", u.Name, k.year, a.Name)
			bank := a.Account
			if w.planting() && op.Index == 0 && a.Spec.code == "INP" && !b.r06done {
				bank = op.activity("ACC").Account // R06: one account, two activities
				b.r06done = true
				b.key.rule(op, "bank_accounts", bank, "R06", "finding", d.Year(), "INP receipt booked to ACC's bank account")
			}
			b.newVoucher(d, "R").dr(a, "1002", amt, bank, u.Name, sum).cr(a, "4101", amt, "", u.Name, sum)
		}
		for _, a := range op.Activities {
			if amt := b.ag.approved[actDay{a.Index, d}]; amt != 0 {
				v := b.newVoucher(d, "B").dr(a, "5101", amt, "", "", a.Name+"给付确认").cr(a, "2101", amt, "", "", a.Name+"给付确认")
				v.no = "BEN-" + a.Code + "-" + d.Time().Format("20060102")
			}
			if amt := b.ag.paid[actDay{a.Index, d}]; amt != 0 {
				v := b.newVoucher(d, "P").dr(a, "2101", amt, "", "", a.Name+"给付").cr(a, "1002", amt, a.Account, "会员银行卡", a.Name+"给付")
				v.no = payVoucher(a, d)
				v.paidBy = b.st.cashier
				b.needDecision(v, amt)
			}
		}
		b.daily(d)
		if d+1 > asOf || (d+1).Time().Day() == 1 {
			b.monthEnd(d)
		}
		b.flush()
	}
	b.keyFeeRatios()
}

// keyFeeRatios writes the answer key's R04 verdict for every fiscal year
// from the books: management expenses over contribution income.
func (b *books) keyFeeRatios() {
	if !b.w.planting() {
		return
	}
	for _, y := range b.w.Years() {
		var fees, income money.Cents
		for k, f := range b.flow {
			if k.year != y {
				continue
			}
			switch k.acct {
			case "5201":
				fees += f[0] - f[1]
			case "4101":
				income += f[1]
			}
		}
		if income == 0 {
			continue
		}
		expect := "clean"
		if fees*100 > income*8 {
			expect = "finding"
		}
		b.key.rule(b.op, "organizations", b.op.Code, "R04", expect, y, fmt.Sprintf("management %s / contributions %s", fees, income))
	}
}

func (op *Operator) activity(code string) *Activity {
	for _, a := range op.Activities {
		if a.Spec.code == code {
			return a
		}
	}
	return nil
}

func (b *books) needDecision(v *voucher, amt money.Cents) {
	if amt >= money.Yuan(500000) {
		v.decision = b.annualDecision(v.day.Year())
	}
}

func (b *books) annualDecision(year int) string { return fmt.Sprintf("%sJC%d01", b.op.Short, year) }

func (b *books) opening() {
	op, w := b.op, b.w
	y := w.Start.Year()
	for _, a := range op.Activities {
		c := b.contrib[actYear{a.Index, y}]
		open := c * 35 / 100 / 100 * 100
		res := c * 8 / 100 / 100 * 100
		if w.planting() && op.Index == 0 && (a.Spec.code == "FEM" || a.Spec.code == "CI3") {
			res = 0 // R11 plant and near miss start without a reserve
		}
		if open+res == 0 {
			continue // an activity with nothing yet (the planted one) opens no books
		}
		v := b.newVoucher(w.Start, "O").dr(a, "1002", open+res, a.Account, "", "期初余额结转")
		v.cr(a, "3101", open, "", "", "期初余额结转")
		if res > 0 {
			v.cr(a, "3102", res, "", "", "期初风险准备金")
		}
	}
	org := money.Yuan(3000000) + b.fees[y]*2
	if w.planting() {
		// The planted organisation-level payments of the first year
		// (R01, R02, R07: about 4 M yuan in all) come out of a balance
		// that can bear them, so that a small world's funds do not go
		// below zero for its defects alone.
		org += money.Yuan(4000000)
	}
	b.newVoucher(w.Start, "O").dr(nil, "1002", org, b.general, "", "期初余额结转").cr(nil, "3101", org, "", "", "期初余额结转")
}

// daily posts the dated one-off events of a day: investments, assistance
// and the planted defects.
func (b *books) daily(d record.Day) {
	op, w := b.op, b.w
	y, m, dd := d.Date()
	first := d == w.Start
	// Org-level treasury bond bought in the first March, with a decision.
	if y == w.Start.Year() && m == time.March && dd == 10 {
		amt := money.Yuan(1000000)
		ref := b.decide(d-7, "board", true, "购买国债", amt*2)
		v := b.newVoucher(d, "V").dr(nil, "1101", amt, "", "财政部", "购买记账式国债").cr(nil, "1002", amt, b.general, "财政部", "购买记账式国债")
		v.decision, v.paidBy = ref, b.st.cashier
		b.deps = append(b.deps, &deposit{id: op.Short + "TB001", kind: "treasury_bond", principal: amt, start: d, maturity: record.DayOf(y+5, time.March, 10), rateBP: 250, issuer: "财政部", name: "记账式附息国债", coupon: true})
		if w.planting() {
			b.key.rule(op, "ledger_entries", v.no, "R07", "clean", y, "1,000,000 paid out with a proper collective decision")
		}
	}
	// Assistance spending, twice a year per kind, at organisation level.
	if (m == time.April || m == time.October) && dd == 15 {
		b.assistanceItems(d)
	}
	if !w.planting() || first {
		return
	}
	// Planted organisation-level defects, each once, in the first year.
	if y != w.Start.Year() {
		return
	}
	switch {
	case m == time.February && dd == 20:
		v := b.newVoucher(d, "V").dr(nil, "1109", money.Yuan(200000), "", "某证券公司", "购买股票").cr(nil, "1002", money.Yuan(200000), b.general, "某证券公司", "购买股票")
		v.paidBy = b.st.cashier
		b.deps = append(b.deps, &deposit{id: op.Short + "ST001", kind: "stock", principal: money.Yuan(200000), start: d, issuer: "某上市公司", name: "A股股票"})
		b.key.rule(op, "investments", op.Short+"ST001", "R01", "finding", y, "stock holding and a debit to 1109")
		v2 := b.newVoucher(d, "V").dr(nil, "1102", money.Yuan(300000), "", "国家开发银行", "购买政策性金融债").cr(nil, "1002", money.Yuan(300000), b.general, "国家开发银行", "购买政策性金融债")
		v2.paidBy = b.st.cashier
		b.deps = append(b.deps, &deposit{id: op.Short + "PB001", kind: "policy_bank_bond", principal: money.Yuan(300000), start: d, maturity: record.DayOf(y+3, m, dd), rateBP: 220, issuer: "国家开发银行", name: "政策性金融债"})
		b.key.add(KeyEntry{Kind: "rule", Operator: op.Code, Entity: "investments", Key: op.Short + "PB001", Code: "R01", Expect: "finding", Severity: "minor", Year: y, Note: "policy bank bond: a review finding"})
		b.key.rule(op, "investments", op.Short+"TB001", "R01", "clean", y, "near miss: treasury bond is allowed")
	case m == time.March && dd == 5:
		v := b.newVoucher(d, "V").dr(nil, "5401", money.Yuan(380000), "", "某装饰公司", "办公楼装修改造").cr(nil, "1002", money.Yuan(380000), b.general, "某装饰公司", "办公楼装修改造")
		v.paidBy = b.st.cashier
		b.key.rule(op, "ledger_entries", v.no, "R02", "finding", y, "office renovation paid from the fund")
		v2 := b.newVoucher(d, "V").dr(nil, "1501", money.Yuan(12000), "", "某电脑公司", "购置办公电脑").cr(nil, "1002", money.Yuan(12000), b.general, "某电脑公司", "购置办公电脑")
		v2.paidBy = b.st.cashier
		b.key.rule(op, "ledger_entries", v2.no, "R02", "clean", y, "near miss: office equipment is not construction")
	case m == time.April && dd == 8:
		// R07: large payments and their near misses.
		pay := func(amt money.Cents, ref, note, expect string) {
			v := b.newVoucher(d, "V").dr(nil, "5901", amt, "", "某信息技术公司", "信息系统建设").cr(nil, "1002", amt, b.general, "某信息技术公司", "信息系统建设")
			v.paidBy, v.decision = b.st.cashier, ref
			b.key.rule(op, "ledger_entries", v.no, "R07", expect, y, note)
		}
		pay(money.Yuan(500000), "", "500,000.00 paid out without a decision", "finding")
		pay(money.Yuan(500000)-1, "", "near miss: 499,999.99 without a decision", "clean")
		pay(money.Yuan(600000), b.decide(d-3, "office_meeting", false, "信息系统建设（一期）", 0), "decision without quorum", "finding")
		pay(money.Yuan(700000), b.decide(d+5, "board", true, "信息系统建设（二期）", 0), "decision after the payment", "finding")
		pay(money.Yuan(800000), b.decide(d-10, "board", true, "信息系统建设（三期）", money.Yuan(400000)), "decision limit below the payment", "finding")
	case m == time.May && dd == 6:
		// R10: unbalanced voucher and a line with both sides; R19: netting.
		v := b.newVoucher(d, "V").dr(nil, "5901", money.Yuan(1000), "", "", "其他支出").cr(nil, "1002", money.Yuan(1000)-1, b.general, "", "其他支出")
		v.paidBy = b.st.cashier
		b.key.rule(op, "ledger_entries", v.no, "R10", "finding", y, "debits exceed credits by 0.01")
		v2 := b.newVoucher(d, "V")
		v2.lines = append(v2.lines, vline{acct: "5901", debit: money.Yuan(300), credit: money.Yuan(300), summary: "冲销"})
		v2.cr(nil, "1002", money.Yuan(300), b.general, "", "冲销")
		b.key.rule(op, "ledger_entries", v2.no, "R10", "finding", y, "a line with both debit and credit")
		b.key.data(op, "ledger_entries", v2.no+"|1", "debit_credit_both", "", "quarantine")
		v3 := b.newVoucher(d, "V").dr(nil, "5901", money.Yuan(200), "", "", "杂项支出").dr(nil, "5901", money.Yuan(100), "", "", "杂项支出").cr(nil, "1002", money.Yuan(300), b.general, "", "杂项支出")
		v3.paidBy = b.st.cashier
		b.key.rule(op, "ledger_entries", v3.no, "R10", "clean", y, "near miss: three lines that balance")
		a := op.activity("ACC")
		v4 := b.newVoucher(d, "V").dr(a, "5101", money.Yuan(150), "", "", "给付与缴费冲抵").cr(a, "4101", money.Yuan(150), "", "", "给付与缴费冲抵")
		b.key.rule(op, "ledger_entries", v4.no, "R19", "finding", y, "benefit netted against contribution income")
		// R08: incompatible duties.
		v5 := b.newVoucher(d, "V").dr(nil, "5901", money.Yuan(800), "", "", "印刷费").cr(nil, "1002", money.Yuan(800), b.general, "", "印刷费")
		v5.appr, v5.paidBy = v5.prep, b.st.cashier
		b.key.rule(op, "ledger_entries", v5.no, "R08", "finding", y, "prepared and approved by the same person")
		v6 := b.newVoucher(d, "V").dr(nil, "5901", money.Yuan(600), "", "", "邮寄费").cr(nil, "1002", money.Yuan(600), b.general, "", "邮寄费")
		v6.paidBy = v6.prep
		b.key.rule(op, "ledger_entries", v6.no, "R08", "clean", y, "near miss: prepared and paid by the same person is allowed")
	}
}

func (b *books) decide(day record.Day, body string, quorum bool, subject string, limit money.Cents) string {
	b.seqD++
	ref := fmt.Sprintf("%sJC%d%02d", b.op.Short, day.Year(), 10+b.seqD)
	att := 9
	if !quorum {
		att = 3
	}
	b.decided[ref] = decision{ref: ref, meeting: day, body: body, quorum: quorum, subject: subject, limit: limit}
	b.decisions.add(day.At(17, 0, 0), ref, func(r *record.Row) {
		r.Str(b.op.Code)
		r.Str(ref)
		r.Day(day)
		r.Str(body)
		r.Int(int64(att))
		r.Bool(quorum)
		r.Str(subject)
		if limit == 0 {
			r.Null()
		} else {
			r.Cents(limit)
		}
		r.TS(day.At(17, 0, 0))
	})
	return ref
}
