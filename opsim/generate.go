package opsim

import (
	"huzhu/contract"
	"huzhu/opsim/record"
)

// Sink receives the visible rows of one operator's world, entity by entity.
// Rows of one entity arrive in no particular order across entities; within
// the member-derived entities they arrive member by member.
type Sink interface {
	Row(entity string, at record.Stamp, r *record.Row) error
}

// generate runs one operator's world into sink: the member pass, then the
// books, then the small entities. It returns the small tables (for the
// server) and the aggregates.
func (op *Operator) generate(sink Sink, key *keyWriter) (*books, error) {
	g := newMemberGen(op)
	ag := newAggregates()
	var row record.Row
	var err error
	emit := func(ent, sub int, at record.Stamp, r *record.Row) {
		if err == nil {
			err = sink.Row(memberEntityNames[ent], at, r)
		}
	}
	for i := 0; i < op.Members; i++ {
		d := g.draw(i)
		ag.add(d)
		g.emit(d, &row, emit, key)
		if err != nil {
			return nil, err
		}
	}
	b := newBooks(op, ag, key, func(at record.Stamp, r *record.Row) {
		if err == nil {
			err = sink.Row("ledger_entries", at, r)
		}
	})
	b.run()
	if err != nil {
		return nil, err
	}
	return b, nil
}

// tables returns the small entities of an operator as sorted tables.
func (op *Operator) smallTables(b *books) map[string]*record.SliceTable {
	end := op.w.P.AsOf.At(23, 59, 59)
	orgs := newTableBuilder("organizations", end)
	for _, o := range op.w.orgs {
		o := o
		orgs.add(o.at, o.code, func(r *record.Row) {
			r.Str(o.code)
			r.Str(o.name)
			r.Str(o.typ)
			r.Str(o.level)
			r.StrOrNull(o.parent)
			r.Str(o.region)
			r.Str(o.pool)
			r.Str("active")
			r.TS(o.at)
		})
	}
	// An operator reports its own grassroots unions.
	for _, u := range op.Unions {
		u := u
		at := (op.w.Start - 400).At(9, 0, 0)
		orgs.add(at, u.Code, func(r *record.Row) {
			r.Str(u.Code)
			r.Str(u.Name)
			r.Str("grassroots_union")
			r.Str("grassroots")
			r.Str(op.fedCode)
			r.Str(u.District)
			r.Str(op.Pool)
			r.Str("active")
			r.TS(at)
		})
	}
	acts := newTableBuilder("activities", end)
	for _, a := range op.Activities {
		a := a
		start := op.w.Start - 365*3
		if a.Spec.code == plantSpec.code {
			start = op.w.Start
		}
		at := start.At(9, 0, 0)
		acts.add(at, a.Code, func(r *record.Row) {
			r.Str(op.Code)
			r.Str(a.Code)
			r.Str(a.Name)
			r.Str(a.Spec.category)
			r.StrOrNull(a.Approval)
			r.StrOrNull(a.Filing)
			r.Day(start)
			r.Null()
			r.Cents(a.Spec.contrib)
			r.Int(int64(a.Spec.months))
			r.Cents(a.Spec.cap)
			r.Str("active")
			r.TS(at)
		})
	}
	return map[string]*record.SliceTable{
		"organizations": orgs.table(), "activities": acts.table(),
		"bank_accounts": b.accounts.table(), "investments": b.holdings.table(), "budgets": b.budgets.table(),
		"decisions": b.decisions.table(), "audits": b.audits.table(), "staff_roles": b.staffRows.table(),
		"assistance": b.assistance.table(),
	}
}

// isMemberEntity reports whether the entity is generated member by member.
func isMemberEntity(name string) bool {
	for _, n := range memberEntityNames {
		if n == name {
			return true
		}
	}
	return false
}

// Generate runs the operator's world as of its day into sink: every row of
// every entity, members first, then the ledger, then the small entities in
// contract order. Rows of an entity arrive in no promised order; updated_at
// comes with each. It holds no more than one member and the small entities
// in memory.
func (op *Operator) Generate(sink Sink) error {
	b, err := op.generate(sink, nil)
	if err != nil {
		return err
	}
	small := op.smallTables(b)
	for _, e := range contractEntities() {
		t := small[e.Name]
		if t == nil {
			continue
		}
		for i := range t.Rows {
			if err := sink.Row(e.Name, t.At[i], &t.Rows[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func contractEntities() []*contract.Entity { return contract.Entities() }
