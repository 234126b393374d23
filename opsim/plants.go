package opsim

import (
	"bufio"
	"encoding/json"
	"io"
	"sort"

	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// plantKind is a defect planted in one member's rows.
type plantKind uint8

const (
	plantNone plantKind = iota
	// data defects the transform must quarantine, count or repair
	plantBadID
	plantBadUSCC
	plantDupConflict
	plantExactDup
	plantBadDate
	plantBadTS
	plantBadMoneyThousands
	plantBadMoneyPrecision
	plantBadMoneyText
	plantFullWidth
	plantUnknownRef
	plantNegative
	plantFuture
	plantTruncate
	plantExtraColumn
	plantBadUTF8
	// claim rule defects and their near misses
	plantR17Cap
	plantR17CapExact
	plantR17NotEnrolled
	plantR17OOP
	plantR17OOPExact
	plantR18Dup
	plantR18NearMiss
)

// memberPlants are the kinds a member draws from when it carries a defect.
var memberPlants = []plantKind{
	plantBadID, plantBadUSCC, plantDupConflict, plantExactDup, plantBadDate, plantBadTS,
	plantBadMoneyThousands, plantBadMoneyPrecision, plantBadMoneyText, plantFullWidth, plantUnknownRef,
	plantNegative, plantFuture, plantTruncate, plantExtraColumn, plantBadUTF8,
	plantR17Cap, plantR17CapExact, plantR17NotEnrolled, plantR17OOP, plantR17OOPExact, plantR18Dup, plantR18NearMiss,
}

// plantClaim adds the claims a member's plant needs, or puts the defect on
// one of its claims. A member without a suitable enrolment plants nothing.
func (g *memberGen) plantClaim(d *memberDraw, n *int) {
	w := g.op.w
	var e *enrolDraw
	for i := range d.enrols {
		if !d.enrols[i].refund && d.enrols[i].start >= w.Start {
			e = &d.enrols[i]
			break
		}
	}
	if e == nil {
		if d.plant >= plantBadTS && d.plant <= plantBadMoneyText || d.plant == plantUnknownRef || d.plant == plantFuture || d.plant >= plantR17Cap {
			d.plant = plantNone
		}
		return
	}
	if d.plant >= plantR17Cap && d.plant != plantR17NotEnrolled {
		// A claim rule's plant stands alone in its period: the cap is per
		// member per period, so an earlier claim of the period would turn
		// the exact-cap near miss into a finding.
		kept := d.claims[:0]
		for _, c := range d.claims {
			if c.act != e.act || c.event < e.start || c.event > e.end {
				kept = append(kept, c)
			}
		}
		d.claims = kept
	}
	r := newRng(w.P.Seed, 500, uint64(g.op.Index), uint64(d.idx))
	base := claimDraw{act: e.act}
	base.event = e.start + record.Day(20+r.intn(200))
	if d.left != 0 && base.event >= d.left {
		d.plant = plantNone
		return
	}
	g.claimAmounts(&r, &base)
	base.filed = (base.event + 10).At(10, 0, 0)
	base.decided = (base.event + 20).At(11, 0, 0)
	base.paid = (base.event + 30).At(15, 0, 0)
	base.voucher = payVoucher(e.act, base.paid.Day())
	add := func(c claimDraw) {
		b := appendRef(g.buf[:0], g.op.Short, 'C', d.idx)
		b = append(b, '-', byte('0'+*n/10), byte('0'+*n%10))
		c.no = string(b)
		*n++
		c.defect = d.plant
		d.claims = append(d.claims, c)
	}
	switch d.plant {
	case plantBadTS, plantBadMoneyThousands, plantBadMoneyPrecision, plantBadMoneyText, plantUnknownRef:
		base.claimed, base.approved = money.Yuan(1234)+money.Cents(50), money.Yuan(1234)+money.Cents(50)
		base.medical = base.claimed * 3
		base.insurance = base.claimed
		add(base)
	case plantFuture:
		base.event = base.filed.Day() + 400
		base.decided, base.paid, base.voucher = 0, 0, ""
		add(base)
	case plantR17Cap, plantR17CapExact:
		base.approved = e.act.Spec.cap
		if d.plant == plantR17Cap {
			base.approved += 1
		}
		base.claimed = base.approved
		base.insurance = base.approved / 4
		base.medical = base.insurance + base.approved + money.Yuan(100)
		add(base)
	case plantR17OOP, plantR17OOPExact:
		base.approved = base.claimed
		base.medical = base.claimed * 2
		base.insurance = base.medical - base.claimed
		if d.plant == plantR17OOP {
			base.insurance++
		}
		add(base)
	case plantR17NotEnrolled:
		for _, a := range g.op.Activities {
			if enrolledOn(d, a, base.event) || a.Spec.code == plantSpec.code {
				continue
			}
			base.act = a
			base.voucher = payVoucher(a, base.paid.Day())
			base.claimed = min(base.claimed, a.Spec.cap)
			base.approved = base.claimed
			add(base)
			return
		}
		d.plant = plantNone
	case plantR18Dup, plantR18NearMiss:
		add(base)
		second := base
		second.filed += 86400
		if d.plant == plantR18NearMiss {
			second.claimed -= money.Yuan(10)
			second.approved = second.claimed
		}
		add(second)
	}
}

func enrolledOn(d *memberDraw, a *Activity, day record.Day) bool {
	for _, e := range d.enrols {
		if e.act == a && !e.refund && e.start <= day && day <= e.end {
			return true
		}
	}
	return false
}

// KeyEntry is one line of the answer key: a planted defect or a near miss,
// with what the pipeline is expected to do about it.
type KeyEntry struct {
	Kind     string   `json:"kind"`               // data | rule | batch (a drop fault: Key is the batch)
	Operator string   `json:"operator"`           // USCC
	Entity   string   `json:"entity"`             // the entity whose row carries it
	Key      string   `json:"key"`                // natural key (normalised), fields joined by "|"
	Code     string   `json:"code"`               // reason code (data) or rule id (rule)
	Expect   string   `json:"expect"`             // quarantine | count | keep | finding | clean | reject
	Severity string   `json:"severity,omitempty"` // for rule findings, when it is not the rule's default
	Formats  []string `json:"formats,omitempty"`  // transports that carry it; empty = all
	Year     int      `json:"year,omitempty"`     // fiscal year, for rules per year
	Note     string   `json:"note,omitempty"`
}

// keyWriter collects answer-key entries. A nil keyWriter discards them.
type keyWriter struct {
	entries []KeyEntry
}

func (k *keyWriter) add(e KeyEntry) {
	if k != nil {
		k.entries = append(k.entries, e)
	}
}

func (k *keyWriter) data(op *Operator, entity, key, code, formats, expect string) {
	if k == nil {
		return
	}
	e := KeyEntry{Kind: "data", Operator: op.Code, Entity: entity, Key: key, Code: code, Expect: expect}
	if formats != "" {
		e.Formats = []string{formats}
	}
	k.add(e)
}

func (k *keyWriter) rule(op *Operator, entity, key, rule, expect string, year int, note string) {
	k.add(KeyEntry{Kind: "rule", Operator: op.Code, Entity: entity, Key: key, Code: rule, Expect: expect, Year: year, Note: note})
}

// keyMember records the member's planted defects that are visible.
func (g *memberGen) keyMember(d *memberDraw, key *keyWriter) {
	if key == nil || d.plant == plantNone {
		return
	}
	op := g.op
	end := op.w.P.AsOf.At(23, 59, 59)
	ref := string(d.ref)
	switch d.plant {
	case plantBadID:
		key.data(op, "members", ref, "bad_idno", "", "quarantine")
	case plantBadDate:
		key.data(op, "members", ref, "bad_date", "", "quarantine")
	case plantTruncate:
		key.add(KeyEntry{Kind: "data", Operator: op.Code, Entity: "members", Key: ref, Code: "truncated_line", Expect: "quarantine", Formats: []string{"csv"}})
	case plantExtraColumn:
		key.add(KeyEntry{Kind: "data", Operator: op.Code, Entity: "members", Key: ref, Code: "column_count", Expect: "quarantine", Formats: []string{"csv"}})
	case plantBadUTF8:
		key.add(KeyEntry{Kind: "data", Operator: op.Code, Entity: "members", Key: ref, Code: "bad_utf8", Expect: "quarantine", Formats: []string{"csv", "jsonl"}})
	}
	for i := range d.enrols {
		e := &d.enrols[i]
		if i != 0 || e.paid > end {
			continue
		}
		receipt := string(g.appendReceipt(nil, d, e, e.refund))
		switch d.plant {
		case plantBadUSCC:
			key.data(op, "enrollments", receipt, "bad_uscc", "", "quarantine")
		case plantFullWidth:
			key.data(op, "enrollments", receipt, "fullwidth_code", "", "keep")
		case plantNegative:
			if !e.refund {
				key.data(op, "enrollments", receipt, "negative_amount", "", "quarantine")
			}
		}
	}
	for i := range d.claims {
		c := &d.claims[i]
		if c.defect == plantNone || c.filed > end {
			continue
		}
		paid := c.paid != 0 && c.paid <= end
		switch c.defect {
		case plantBadTS:
			key.data(op, "claims", c.no, "bad_ts", "", "quarantine")
		case plantBadMoneyThousands, plantBadMoneyPrecision, plantBadMoneyText:
			key.data(op, "claims", c.no, "bad_money", "", "quarantine")
		case plantUnknownRef:
			key.data(op, "claims", c.no, "unknown_ref", "", "quarantine")
		case plantFuture:
			key.data(op, "claims", c.no, "future_date", "", "quarantine")
		case plantR17Cap, plantR17NotEnrolled, plantR17OOP:
			if paid {
				key.rule(op, "claims", c.no, "R17", "finding", c.paid.Day().Year(), plantNote[c.defect])
			}
		case plantR17CapExact, plantR17OOPExact:
			if paid {
				key.rule(op, "claims", c.no, "R17", "clean", c.paid.Day().Year(), plantNote[c.defect])
			}
		case plantR18Dup, plantR18NearMiss:
			if paid && i > 0 && d.claims[i-1].defect == c.defect && d.claims[i-1].paid <= end {
				expect := "finding"
				if c.defect == plantR18NearMiss {
					expect = "clean"
				}
				key.rule(op, "claims", d.claims[i-1].no+"|"+c.no, "R18", expect, c.paid.Day().Year(), plantNote[c.defect])
			}
		}
	}
}

var plantNote = map[plantKind]string{
	plantR17Cap:         "paid one cent above the activity's benefit cap",
	plantR17CapExact:    "near miss: paid exactly the benefit cap",
	plantR17NotEnrolled: "paid to a member not enrolled in the activity on the event date",
	plantR17OOP:         "paid one cent more than medical_total - insurance_paid",
	plantR17OOPExact:    "near miss: paid exactly medical_total - insurance_paid",
	plantR18Dup:         "same member, event date and amount paid twice",
	plantR18NearMiss:    "near miss: same member and event date, different amounts",
}

// writeKey writes the entries as JSON lines, sorted for byte-stable output.
func (k *keyWriter) writeTo(w io.Writer) error {
	sort.SliceStable(k.entries, func(i, j int) bool {
		a, b := &k.entries[i], &k.entries[j]
		if a.Operator != b.Operator {
			return a.Operator < b.Operator
		}
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Code < b.Code
	})
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range k.entries {
		if err := enc.Encode(&k.entries[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}
