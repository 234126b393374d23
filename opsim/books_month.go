package opsim

import (
	"fmt"
	"time"

	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// monthEnd posts what happens on the last day of a month (or on the as-of
// day, which only writes nothing new): refunds, the management fee,
// interest, deposits, reserve allocations and the month-end holdings.
func (b *books) monthEnd(d record.Day) {
	op, w := b.op, b.w
	if (d + 1).Time().Day() != 1 {
		return // the as-of day in mid-month: the month is not closed yet
	}
	y, m, _ := d.Date()
	ym := y*100 + int(m)
	for _, a := range op.Activities {
		if amt := b.ag.refunds[actMonth{a.Index, ym}]; amt > 0 {
			b.newVoucher(d, "F").dr(a, "4101", amt, "", "", a.Name+"退费").cr(a, "1002", amt, a.Account, "", a.Name+"退费").paidBy = b.st.cashier
		}
	}
	// Management fee, monthly, at organisation level; December takes the rest.
	fee := b.fees[y] / 12
	if m == time.December {
		fee = b.fees[y] - fee*11
	}
	if fee > 0 {
		v := b.newVoucher(d, "M").dr(nil, "5201", fee, "", "", fmt.Sprintf("%d年%d月管理费用", y, m)).cr(nil, "1002", fee, b.general, "", fmt.Sprintf("%d年%d月管理费用", y, m))
		v.paidBy = b.st.cashier
		b.needDecision(v, fee)
	}
	realized := map[string]money.Cents{}
	// Demand-deposit interest each quarter.
	r03 := 0
	if m%3 == 0 {
		for _, a := range append(op.Activities, nil) {
			bal := b.balance(a, "1002")
			if bal <= 0 || (a != nil && a.Account == "") {
				continue
			}
			interest := bal * 35 / 40000
			if interest == 0 {
				continue
			}
			acct, hid := "4201", b.ddID(a)
			realized[hid] = interest
			if w.planting() && op.Index == 0 && y == w.Start.Year() && m == time.June && a != nil {
				switch r03 {
				case 0:
					acct = "4901" // R03 plant: interest booked as other income
					b.key.rule(op, "activities", a.Code, "R03", "finding", y, "demand interest credited to 4901")
				case 1:
					// R03 near miss: a gap of 0.5% of the interest (at least
					// a cent), under both the 1% and the 1,000-yuan limit.
					realized[hid] += max(interest/200, 1)
					b.key.rule(op, "activities", a.Code, "R03", "clean", y, "near miss: realised income 0.5% above the books")
				}
				r03++
			}
			b.newVoucher(d, "I").dr(a, "1002", interest, b.bank(a), "", "活期存款利息").cr(a, acct, interest, "", "", "活期存款利息")
		}
	}
	// Deposits and bonds: coupons, maturities.
	for _, dep := range b.deps {
		if dep.done || dep.start > d {
			continue
		}
		switch {
		case dep.coupon && (m == time.March || m == time.September) && d-dep.start > 100:
			c := dep.principal * money.Cents(dep.rateBP) / 20000
			realized[dep.id] = c
			b.newVoucher(d, "I").dr(dep.act, "1002", c, b.bank(dep.act), dep.issuer, "国债利息").cr(dep.act, "4201", c, "", dep.issuer, "国债利息")
		case dep.kind == "time_deposit" && dep.maturity == d:
			interest := dep.principal * money.Cents(dep.rateBP) / 10000
			realized[dep.id] = interest
			v := b.newVoucher(d, "T").dr(dep.act, "1002", dep.principal+interest, dep.act.Account, dep.issuer, "定期存款到期")
			v.cr(dep.act, "1003", dep.principal, "", dep.issuer, "定期存款到期").cr(dep.act, "4201", interest, "", dep.issuer, "定期存款利息")
			dep.done = true
			b.holding(d, dep, 0, interest, 0)
		}
	}
	// New time deposits at the end of Feb, May, Aug and Nov.
	if m%3 == 2 {
		for _, a := range op.Activities {
			if a.Account == "" {
				continue
			}
			keep := b.benefit[actYear{a.Index, y}]/2 + money.Yuan(100000)
			spare := b.balance(a, "1002") - keep
			if spare < money.Yuan(100000) {
				continue
			}
			amt := spare / 2 / money.Yuan(10000) * money.Yuan(10000)
			r := newRng(w.P.Seed, 900, uint64(op.Index), uint64(a.Index), uint64(d))
			dep := &deposit{id: fmt.Sprintf("%sTD%s%s", op.Short, a.Code, d.Time().Format("200601")), act: a, kind: "time_deposit",
				principal: amt, start: d, maturity: record.DayOf(y+1, m+1, 1) - 1, rateBP: int64(145 + r.intn(31)),
				issuer: bankName(op), name: "一年期定期存款"}
			v := b.newVoucher(d, "T").dr(a, "1003", amt, a.Account, dep.issuer, "转存一年期定期存款").cr(a, "1002", amt, a.Account, dep.issuer, "转存一年期定期存款")
			v.paidBy = b.st.cashier
			b.needDecision(v, amt)
			b.deps = append(b.deps, dep)
		}
	}
	if m == time.December {
		b.yearEnd(d)
	}
	b.flushHoldings(d, realized)
}

func (b *books) ddID(a *Activity) string {
	if a == nil {
		return b.op.Short + "DDGEN"
	}
	return b.op.Short + "DD" + a.Code
}

// flushHoldings writes the month-end holdings: each bank account's demand
// balance and every deposit or bond still held.
func (b *books) flushHoldings(d record.Day, realized map[string]money.Cents) {
	op := b.op
	b.flush() // holdings are struck after the day's postings
	for _, a := range append(op.Activities, nil) {
		if a != nil && a.Account == "" {
			continue
		}
		bal := b.balance(a, "1002")
		hid := b.ddID(a)
		dep := &deposit{id: hid, act: a, kind: "demand_deposit", principal: bal, start: b.w.Start - 700, issuer: bankName(op), name: "活期存款"}
		b.holding(d, dep, bal, realized[hid], 0)
	}
	for _, dep := range b.deps {
		if dep.done || dep.start > d {
			continue
		}
		mv, accrued := dep.principal, money.Cents(0)
		if dep.kind == "time_deposit" || dep.coupon {
			days := int64(d - dep.start)
			if dep.coupon {
				days %= 182
			}
			accrued = dep.principal * money.Cents(dep.rateBP) * money.Cents(days) / 10000 / 365
		}
		if dep.kind == "stock" {
			r := newRng(b.w.P.Seed, 910, uint64(op.Index), uint64(d))
			mv = dep.principal * money.Cents(85+r.intn(30)) / 100
		}
		b.holding(d, dep, mv, realized[dep.id], accrued)
	}
}

func (b *books) holding(d record.Day, dep *deposit, mv, realized, accrued money.Cents) {
	op := b.op
	principal := dep.principal
	if dep.kind == "demand_deposit" {
		principal = mv
	}
	if dep.kind == "time_deposit" && dep.done && dep.maturity == d {
		principal, mv = 0, 0
	}
	act := ""
	if dep.act != nil {
		act = dep.act.Code
	}
	at := d.At(20, 0, 0)
	b.holdings.add(at, sortKey(dep.id, d.String()), func(r *record.Row) {
		r.Str(op.Code)
		r.Str(dep.id)
		r.Day(d)
		r.StrOrNull(act)
		r.Str(dep.kind)
		r.Str(dep.issuer)
		r.Str(dep.name)
		r.Cents(principal)
		r.Cents(mv)
		r.Day(dep.start)
		r.DayOrNull(dep.maturity)
		if dep.rateBP == 0 {
			if dep.kind == "demand_deposit" {
				r.Str("0.35")
			} else {
				r.Null()
			}
		} else {
			r.Str(fmt.Sprintf("%d.%02d", dep.rateBP/100, dep.rateBP%100))
		}
		r.Cents(accrued)
		r.Cents(realized)
		r.TS(at)
	})
}

// yearEnd allocates the risk reserve and writes the answer key's verdicts
// on the year-level rules that follow from the books.
func (b *books) yearEnd(d record.Day) {
	op, w := b.op, b.w
	y := d.Year()
	for _, a := range op.Activities {
		c := b.contrib[actYear{a.Index, y}]
		alloc := c * 6 / 100
		if w.planting() && op.Index == 0 {
			switch {
			case a.Spec.code == "FEM":
				alloc = 0 // R11 plant: no reserve at all
			case a.Spec.code == "CI3" && y == w.Start.Year():
				alloc = (c*5 + 99) / 100 // R11 near miss: exactly 5%
			}
		}
		if alloc > 0 {
			b.newVoucher(d, "Y").dr(a, "3101", alloc, "", "", "提取风险准备金").cr(a, "3102", alloc, "", "", "提取风险准备金")
		}
	}
	// The verdicts need the year's books, so post today's vouchers first.
	b.flush()
	if !w.planting() {
		return
	}
	for _, a := range op.Activities {
		c := b.flow[flowKey{a.Index, "4101", y}][1]
		if c == 0 {
			continue
		}
		reserve := -b.balance(a, "3102")
		expect := "clean"
		if reserve*100 < c*5 {
			expect = "finding"
		}
		b.key.rule(op, "activities", a.Code, "R11", expect, y, fmt.Sprintf("reserve %s / contributions %s", reserve, c))
		paid := b.flow[flowKey{a.Index, "5101", y}][0]
		expect = "clean"
		if paid*100 < c*50 || paid > c {
			expect = "finding"
		}
		b.key.rule(op, "activities", a.Code, "R12", expect, y, fmt.Sprintf("benefits %s / contributions %s", paid, c))
	}
}
