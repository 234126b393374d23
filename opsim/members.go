package opsim

import (
	"strconv"
	"time"

	"huzhu/internal/codes"
	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// The member-derived entities, generated member by member.
const (
	entMembers = iota
	entEnrollments
	entClaims
	numMemberEnts
)

var memberEntityNames = [numMemberEnts]string{"members", "enrollments", "claims"}

var (
	surnames     = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "沈", "钱"}
	tradSurnames = []string{"陳", "劉", "張", "黃", "趙", "吳", "鄭", "許", "馮", "鄧"}
	givenChars   = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "玲", "晓", "红", "雅", "婷", "子", "涵", "一", "帆", "晨", "宇", "欣", "怡"}
	tradGiven    = []string{"偉", "麗", "華", "國", "東", "瑩", "嬌", "濤", "慶", "銘"}
	phonePrefix  = []string{"138", "139", "150", "158", "186", "189", "135", "137", "177", "199"}
)

// memberDraw is everything one member ever does, whatever the as-of day.
type memberDraw struct {
	idx       int
	ref       []byte
	union     int
	male      bool
	birth     record.Day
	birthYear int
	birthJan1 bool // the age changes on 1 January itself
	joined    record.Day
	left      record.Day // 0: never
	idNo      string
	name      string
	phone     string
	enrols    []enrolDraw
	claims    []claimDraw
	plant     plantKind
	plantAux  int
}

type enrolDraw struct {
	act        *Activity
	startYear  int
	start, end record.Day
	amount     money.Cents
	paid       record.Stamp
	refund     bool // a refund of the enrolment before it
}

type claimDraw struct {
	no        string
	act       *Activity
	event     record.Day
	filed     record.Stamp
	diag      string
	level     string
	medical   money.Cents
	insurance money.Cents
	claimed   money.Cents
	approved  money.Cents
	rejected  bool
	decided   record.Stamp
	paid      record.Stamp
	voucher   string
	defect    plantKind // a defect carried by this claim row
}

// memberGen generates the members of one operator. It is not safe for
// concurrent use; make one per goroutine.
type memberGen struct {
	op  *Operator
	d   memberDraw
	buf []byte

	cacheUnion int
	periods    map[periodKey]periodVal
}

func newMemberGen(op *Operator) *memberGen {
	return &memberGen{op: op, cacheUnion: -1, periods: map[periodKey]periodVal{}}
}

// ageOn returns the age in whole years on day d.
func ageOn(birth, d record.Day) int {
	by, bm, bd := birth.Date()
	y, m, dd := d.Date()
	age := y - by
	if m < bm || (m == bm && dd < bd) {
		age--
	}
	return age
}

func appendRef(b []byte, short string, kind byte, idx int) []byte {
	b = append(b, short...)
	b = append(b, kind)
	var tmp [8]byte
	for i := 7; i >= 0; i-- {
		tmp[i] = byte('0' + idx%10)
		idx /= 10
	}
	return append(b, tmp[:]...)
}

// draw generates member idx of the operator into g.d.
func (g *memberGen) draw(idx int) *memberDraw {
	op, w := g.op, g.op.w
	r := newRng(w.P.Seed, 100, uint64(op.Index), uint64(idx))
	d := &g.d
	d.idx = idx
	d.ref = appendRef(d.ref[:0], op.Short, 'M', idx)
	d.union = idx / unionSize
	d.enrols = d.enrols[:0]
	d.claims = d.claims[:0]
	d.plant = plantNone
	u := &op.Unions[d.union]

	d.male = r.chance(0.54)
	retiree := r.chance(0.12)
	age := r.between(20, 59)
	if retiree {
		age = r.between(61, 78)
	}
	by, _, _ := w.Start.Date()
	off := r.intn(365)
	d.birth = record.DayOf(by-age, time.January, 1) + record.Day(off)
	d.birthYear, d.birthJan1 = d.birth.Year(), off == 0
	// Members joined mostly long before the window; some join during it.
	if r.chance(0.1) {
		d.joined = w.Start + record.Day(r.intn(int(w.horizon-w.Start)))
	} else {
		d.joined = w.Start - record.Day(30+r.intn(3650))
	}
	d.left = 0
	if r.chance(0.03) {
		d.left = d.joined + record.Day(200+r.intn(1200))
	}
	seq := r.intn(500) * 2
	if d.male {
		seq++
	}
	id, err := codes.MakeID(u.District, d.birth.Time(), seq)
	if err != nil {
		panic("opsim: " + err.Error())
	}
	d.idNo = id
	d.name = personName(&r)
	d.phone = ""
	if !r.chance(0.05) {
		b := g.buf[:0]
		b = append(b, pick(&r, phonePrefix)...)
		b = strconv.AppendInt(b, int64(10000000+r.intn(90000000)), 10)
		d.phone = string(b)
	}
	if w.planting() && r.chance(w.P.DefectRate) {
		d.plant = memberPlants[r.intn(len(memberPlants))]
		d.plantAux = r.intn(1 << 20)
	}
	g.enrolments(d)
	g.claimsOf(d)
	return d
}

func personName(r *rng) string {
	var b []byte
	if r.chance(0.02) {
		b = append(b, pick(r, tradSurnames)...)
		b = append(b, pick(r, tradGiven)...)
	} else {
		b = append(b, pick(r, surnames)...)
		b = append(b, pick(r, givenChars)...)
	}
	if r.chance(0.7) {
		b = append(b, pick(r, givenChars)...)
	}
	return string(b)
}

// unionTakesPart reports whether a union enrols in an activity's period
// starting in year y, and when it pays.
func (op *Operator) unionPeriod(union int, a *Activity, y int) (bool, record.Stamp) {
	r := newRng(op.w.P.Seed, 200, uint64(op.Index), uint64(union), uint64(a.Index), uint64(y))
	if a.Spec.code == plantSpec.code && union%7 != 0 {
		return false, 0 // the planted activity is small
	}
	if !r.chance(0.9) {
		return false, 0
	}
	pay := record.DayOf(y-1, time.December, 10) + record.Day(r.intn(40))
	return true, pay.At(9+r.intn(8), r.intn(60), r.intn(60))
}

// enrolments draws the member's enrolments in receipt-number order: by
// period start year, then activity code, each refund after its original.
func (g *memberGen) enrolments(d *memberDraw) {
	op, w := g.op, g.op.w
	first, last := w.Start.Year()-2, w.horizon.Year()+1
	for y := first; y <= last; y++ {
		start := record.DayOf(y, time.January, 1)
		for _, a := range op.byCode {
			s := a.Spec
			if s.women && d.male {
				continue
			}
			step := s.months / 12
			if (y+d.union)%step != 0 || y < w.Start.Year()-step+1 {
				continue
			}
			ok, paid := g.unionPeriod(d.union, a, y)
			if !ok {
				continue
			}
			age := y - d.birthYear - 1
			if d.birthJan1 {
				age++
			}
			if age < s.minAge || age > s.maxAge {
				continue
			}
			if d.joined > paid.Day() || (d.left != 0 && d.left < start) {
				continue
			}
			r := newRng(w.P.Seed, 300, uint64(op.Index), uint64(d.idx), uint64(a.Index), uint64(y))
			if !r.chance(s.join) {
				continue
			}
			e := enrolDraw{act: a, startYear: y, start: start, amount: s.contrib, paid: paid}
			e.end = record.DayOf(y+step, time.January, 1) - 1
			d.enrols = append(d.enrols, e)
			// A member who leaves during an annual period gets part of it back.
			if d.left != 0 && d.left > start && d.left < e.end && s.months == 12 && r.chance(0.4) {
				rest := int64(e.end - d.left)
				back := money.Cents(int64(s.contrib) * rest / 365)
				if back > 0 {
					rf := e
					rf.amount = -back
					rf.refund = true
					rf.paid = (d.left + record.Day(5+r.intn(20))).At(14, r.intn(60), 0)
					d.enrols = append(d.enrols, rf)
				}
			}
		}
	}
}

// appendReceipt appends an enrolment's receipt number: member, period
// start year and activity, and "-RF" for its refund.
func (g *memberGen) appendReceipt(b []byte, d *memberDraw, e *enrolDraw, refund bool) []byte {
	b = appendRef(b, g.op.Short, 'R', d.idx)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(e.startYear), 10)
	b = append(b, e.act.Spec.code...)
	if refund {
		b = append(b, "-RF"...)
	}
	return b
}

// unionPeriod is Operator.unionPeriod, remembered for the current union:
// members of a union are generated one after another.
func (g *memberGen) unionPeriod(union int, a *Activity, y int) (bool, record.Stamp) {
	if g.cacheUnion != union {
		g.cacheUnion = union
		clear(g.periods)
	}
	k := periodKey{a.Index, y}
	if p, ok := g.periods[k]; ok {
		return p.ok, p.paid
	}
	ok, paid := g.op.unionPeriod(union, a, y)
	g.periods[k] = periodVal{ok, paid}
	return ok, paid
}

type periodKey struct{ act, year int }
type periodVal struct {
	ok   bool
	paid record.Stamp
}

var diagGroups = map[string][]string{
	"accident":         {"S", "S", "S", "T", "V"},
	"inpatient":        {"J", "I", "K", "C", "N", "M", "E", "O"},
	"female_special":   {"C", "C", "N", "D"},
	"critical_illness": {"C", "C", "I", "I", "G"},
	"retiree":          {"I", "J", "E", "C", "K", "M"},
	"other":            {"Z", "R"},
}

var femSums = []money.Cents{money.Yuan(6000), money.Yuan(3000), money.Yuan(2000), money.Yuan(2000), money.Yuan(1000), money.Yuan(1000)}

// seasonal weight of a month: more illness in winter.
var monthWeight = [13]float64{0, 1, 1, 0.8, 0.75, 0.7, 0.7, 0.75, 0.75, 0.75, 0.8, 0.9, 1}

func (g *memberGen) claimsOf(d *memberDraw) {
	op, w := g.op, g.op.w
	n := 0
	for ei := range d.enrols {
		e := &d.enrols[ei]
		if e.refund {
			continue
		}
		s := e.act.Spec
		years := s.months / 12
		r := newRng(w.P.Seed, 400, uint64(op.Index), uint64(d.idx), uint64(e.act.Index), uint64(e.startYear))
		count := 0
		if years == 1 {
			if r.chance(s.pClaim) {
				count = 1
				if (s.category == "inpatient" || s.category == "retiree") && r.chance(0.12) {
					count = 2
				}
			}
		} else if r.chance(s.pClaim * float64(years)) {
			count = 1
		}
		// The benefit cap is per member per period (rules.md, R17): what
		// the period's earlier claims took is not paid again.
		var granted money.Cents
		for k := 0; k < count; k++ {
			c := claimDraw{act: e.act}
			// An event day inside the period, winter-weighted.
			for {
				c.event = e.start + record.Day(r.intn(int(e.end-e.start)+1))
				_, m, _ := c.event.Date()
				if r.float() < monthWeight[m] {
					break
				}
			}
			if d.left != 0 && c.event >= d.left {
				continue
			}
			g.claimAmounts(&r, &c)
			c.filed = (c.event + record.Day(3+r.intn(38))).At(9+r.intn(8), r.intn(60), r.intn(60))
			c.decided = (c.filed.Day() + record.Day(5+r.intn(16))).At(10+r.intn(7), r.intn(60), r.intn(60))
			if r.chance(0.07) {
				c.rejected = true
			} else {
				c.paid = (c.decided.Day() + record.Day(2+r.intn(19))).At(10+r.intn(6), r.intn(60), r.intn(60))
				c.voucher = payVoucher(e.act, c.paid.Day())
				c.approved = min(c.approved, s.cap-granted)
				if c.approved <= 0 { // the cap is used up: refused
					c.rejected, c.paid, c.voucher = true, 0, ""
				}
				granted += max(c.approved, 0)
			}
			if c.filed.Day() > w.horizon {
				continue
			}
			b := appendRef(g.buf[:0], op.Short, 'C', d.idx)
			b = append(b, '-', byte('0'+n/10), byte('0'+n%10))
			c.no = string(b)
			n++
			d.claims = append(d.claims, c)
		}
	}
	if d.plant != plantNone {
		g.plantClaim(d, &n)
	}
}

func payVoucher(a *Activity, day record.Day) string {
	b := make([]byte, 0, 16)
	b = append(b, "PAY-"...)
	b = append(b, a.Code...)
	b = append(b, '-')
	y, m, dd := day.Date()
	b = strconv.AppendInt(b, int64(y*10000+int(m)*100+dd), 10)
	return string(b)
}

// claimAmounts draws the figures of a claim so that a clean claim never pays
// more than the cap or the member's own cost (medical total less insurance).
func (g *memberGen) claimAmounts(r *rng, c *claimDraw) {
	s := c.act.Spec
	c.diag = pick(r, diagGroups[s.category])
	switch x := r.float(); {
	case x < 0.3:
		c.level = "tertiary"
	case x < 0.75:
		c.level = "secondary"
	case x < 0.95:
		c.level = "primary"
	default:
		c.level = "other"
	}
	switch s.category {
	case "accident":
		if r.chance(0.01) {
			c.claimed = s.cap // death or disability benefit
		} else {
			c.claimed = money.Cents(int64(r.lognormal(7.0, 0.8)*100)) / 10 * 10
		}
	case "inpatient", "retiree":
		days := 4 + int(r.lognormal(2.3, 0.6))
		c.claimed = money.Yuan(int64(40 * (days - 3)))
	case "female_special":
		c.claimed = pick(r, femSums)
	case "critical_illness":
		c.claimed = s.cap
	default:
		c.claimed = money.Yuan(int64(200 + r.intn(2000)))
	}
	if c.claimed > s.cap {
		c.claimed = s.cap
	}
	if c.claimed < money.Yuan(50) {
		c.claimed = money.Yuan(50)
	}
	// Medical total and insurance such that out-of-pocket covers the claim.
	share := int64(45 + r.intn(36)) // insurance pays 45–80%
	oop := int64(c.claimed) + int64(r.lognormal(6.5, 1.0)*100)
	total := oop * 100 / (100 - share)
	c.medical = money.Cents(total)
	c.insurance = money.Cents(total - oop)
	c.approved = c.claimed
	if r.chance(0.1) {
		c.approved = c.claimed * 8 / 10
	}
}

// emitFunc receives one visible row of a member-derived entity. sub counts
// the rows of that entity for the member, in natural-key order.
type emitFunc func(ent int, sub int, at record.Stamp, r *record.Row)

// emit writes the member's rows visible as of the world's as-of day.
func (g *memberGen) emit(d *memberDraw, row *record.Row, fn emitFunc, key *keyWriter) {
	op, w := g.op, g.op.w
	asOf := w.P.AsOf
	end := asOf.At(23, 59, 59)
	if d.joined > asOf {
		return
	}
	u := &op.Unions[d.union]
	// members
	at := d.joined.At(9, 0, 0)
	status := "active"
	if d.left != 0 && d.left <= asOf {
		at, status = d.left.At(16, 0, 0), "left"
	}
	subs := [numMemberEnts]int{}
	g.memberRow(d, row, u, status, at)
	fn(entMembers, subs[entMembers], at, row)
	subs[entMembers]++
	switch d.plant {
	case plantExactDup:
		g.memberRow(d, row, u, status, at)
		fn(entMembers, subs[entMembers], at, row)
		subs[entMembers]++
		key.data(op, "members", string(d.ref), "exact_duplicate", "", "count")
	case plantDupConflict:
		p := d.phone
		d.phone = "13000000000"
		g.memberRow(d, row, u, status, at)
		d.phone = p
		fn(entMembers, subs[entMembers], at, row)
		subs[entMembers]++
		key.data(op, "members", string(d.ref), "duplicate_key", "", "quarantine")
	}
	for i := range d.enrols {
		e := &d.enrols[i]
		if e.paid > end {
			continue
		}
		g.enrolRow(d, e, row, u, i)
		fn(entEnrollments, subs[entEnrollments], e.paid, row)
		subs[entEnrollments]++
	}
	for i := range d.claims {
		c := &d.claims[i]
		if c.filed > end {
			continue
		}
		at := g.claimRow(d, c, row, end)
		fn(entClaims, subs[entClaims], at, row)
		subs[entClaims]++
	}
	g.keyMember(d, key)
}

func (g *memberGen) memberRow(d *memberDraw, row *record.Row, u *Union, status string, at record.Stamp) {
	row.Reset()
	row.Str(g.op.Code)
	row.Bytes(d.ref)
	switch d.plant {
	case plantBadID:
		bad := []byte(d.idNo)
		bad[17] = otherCheck(bad[17])
		row.Bytes(bad)
	default:
		row.Str(d.idNo)
	}
	row.Str(d.name)
	row.StrOrNull(d.phone)
	if d.male {
		row.Str("M")
	} else {
		row.Str("F")
	}
	if d.plant == plantBadDate {
		y, m, dd := d.birth.Date()
		row.Str(strconv.Itoa(y) + "-13-" + strconv.Itoa(dd+int(m)))
	} else {
		row.Day(d.birth)
	}
	row.Str(u.Code)
	row.Day(d.joined)
	row.Str(status)
	row.TS(at)
	switch d.plant {
	case plantTruncate:
		row.Mangle = record.MangleTruncate
	case plantExtraColumn:
		row.Mangle = record.MangleExtraColumn
	case plantBadUTF8:
		row.Mangle = record.MangleBadUTF8
	}
}

func otherCheck(c byte) byte {
	if c == '0' {
		return '1'
	}
	if c == 'X' {
		return '0'
	}
	return c - 1
}

func (g *memberGen) enrolRow(d *memberDraw, e *enrolDraw, row *record.Row, u *Union, i int) {
	row.Reset()
	row.Str(g.op.Code)
	g.buf = g.appendReceipt(g.buf[:0], d, e, e.refund)
	row.Bytes(g.buf)
	row.Str(e.act.Code)
	if d.plant == plantFullWidth && i == 0 {
		row.Str(fullWidth(string(d.ref)))
	} else {
		row.Bytes(d.ref)
	}
	row.Day(e.start)
	row.Day(e.end)
	if d.plant == plantNegative && i == 0 && !e.refund {
		row.Cents(-e.amount)
	} else {
		row.Cents(e.amount)
	}
	if e.refund {
		g.buf = g.appendReceipt(g.buf[:0], d, e, false)
		row.Bytes(g.buf)
	} else {
		row.Null()
	}
	row.TS(e.paid)
	if d.plant == plantBadUSCC && i == 0 {
		bad := []byte(u.Code)
		bad[17] = otherUSCCCheck(bad[17])
		row.Bytes(bad)
	} else {
		row.Str(u.Code)
	}
	row.TS(e.paid)
}

func otherUSCCCheck(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// fullWidth folds ASCII letters and digits to their full-width forms, as
// some operators' systems type codes.
func fullWidth(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if c >= '!' && c <= '~' {
			c += 0xFEE0
		}
		out = append(out, c)
	}
	return string(out)
}

// claimRow writes the claim as it stands at end and returns its updated_at.
func (g *memberGen) claimRow(d *memberDraw, c *claimDraw, row *record.Row, end record.Stamp) record.Stamp {
	row.Reset()
	row.Str(g.op.Code)
	row.Str(c.no)
	row.Str(c.act.Code)
	if c.defect == plantUnknownRef {
		row.Str(string(d.ref[:len(d.ref)-1]) + "Z")
	} else {
		row.Bytes(d.ref)
	}
	row.Day(c.event)
	if c.defect == plantBadTS {
		y, m, dd := c.filed.Day().Date()
		row.Str(strconv.Itoa(y) + "/" + strconv.Itoa(int(m)) + "/" + strconv.Itoa(dd) + " 9:00")
	} else {
		row.TS(c.filed)
	}
	row.Str(c.diag)
	row.Str(c.level)
	row.Cents(c.medical)
	row.Cents(c.insurance)
	switch c.defect {
	case plantBadMoneyThousands:
		row.Str(money.FormatCNY(c.claimed))
	case plantBadMoneyPrecision:
		row.Str(c.claimed.String() + "5")
	case plantBadMoneyText:
		row.Str("abc")
	default:
		row.Cents(c.claimed)
	}
	at := c.filed
	decided := c.decided != 0 && c.decided <= end
	paid := decided && c.paid != 0 && c.paid <= end
	if decided && !c.rejected {
		row.Cents(c.approved)
	} else {
		row.Null()
	}
	switch {
	case paid:
		row.Str("paid")
	case decided && c.rejected:
		row.Str("rejected")
	case decided:
		row.Str("approved")
	default:
		row.Str("filed")
	}
	if decided {
		row.TS(c.decided)
		at = c.decided
	} else {
		row.Null()
	}
	if paid {
		row.TS(c.paid)
		row.Cents(c.approved)
		row.Str(c.voucher)
		at = c.paid
	} else {
		row.Null()
		row.Null()
		row.Null()
	}
	row.TS(at)
	return at
}
