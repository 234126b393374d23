package opsim

import (
	"sort"
	"sync"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// memberLoc locates one row of a member-derived entity.
type memberLoc struct {
	at     record.Stamp
	member uint32
	sub    uint32
}

// memberTable serves a member-derived entity without holding its rows: an
// index of (updated_at, member, sub) sorted into the API's order, and the
// member regenerated on each read. Members are numbered in key order, and a
// member's rows of one entity come in key order, so a stable sort on
// updated_at gives (updated_at, natural key) order.
type memberTable struct {
	e   *contract.Entity
	ent int
	op  *Operator
	idx []memberLoc

	mu      sync.Mutex
	gen     *memberGen
	cached  int
	rows    []record.Row // the cached member's rows of this entity
	scratch record.Row
}

func (t *memberTable) Entity() *contract.Entity     { return t.e }
func (t *memberTable) Len() int                     { return len(t.idx) }
func (t *memberTable) UpdatedAt(i int) record.Stamp { return t.idx[i].at }

func (t *memberTable) Read(i int, r *record.Row) {
	loc := t.idx[i]
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached != int(loc.member) {
		t.rows = t.rows[:0]
		d := t.gen.draw(int(loc.member))
		t.gen.emit(d, &t.scratch, func(ent, sub int, _ record.Stamp, row *record.Row) {
			if ent == t.ent {
				t.rows = append(t.rows, record.Row{})
				t.rows[len(t.rows)-1].CopyFrom(row)
			}
		}, nil)
		t.cached = int(loc.member)
	}
	r.CopyFrom(&t.rows[loc.sub])
}

// Tables generates one operator's world as of its day and returns every
// entity as a Table in the HTTP API's order (updated_at, natural key).
func (op *Operator) Tables() (map[string]record.Table, error) {
	g := newMemberGen(op)
	ag := newAggregates()
	var tabs [numMemberEnts]*memberTable
	for i := range tabs {
		tabs[i] = &memberTable{e: contract.Lookup(memberEntityNames[i]), ent: i, op: op, gen: newMemberGen(op), cached: -1}
	}
	var row record.Row
	member := 0
	emit := func(ent, sub int, at record.Stamp, _ *record.Row) {
		tabs[ent].idx = append(tabs[ent].idx, memberLoc{at: at, member: uint32(member), sub: uint32(sub)})
	}
	for i := 0; i < op.Members; i++ {
		member = i
		d := g.draw(i)
		ag.add(d)
		g.emit(d, &row, emit, nil)
	}
	ledger := newTableBuilder("ledger_entries", op.w.P.AsOf.At(23, 59, 59))
	seq := 0
	b := newBooks(op, ag, nil, func(at record.Stamp, r *record.Row) {
		// Ledger rows arrive in (posted day, voucher, line) order; the key
		// string only has to keep that order stable in the sort.
		seq++
		ledger.rows = append(ledger.rows, record.Row{})
		ledger.rows[len(ledger.rows)-1].CopyFrom(r)
		ledger.at = append(ledger.at, at)
		ledger.keys = append(ledger.keys, "")
	})
	b.run()
	out := map[string]record.Table{}
	for _, t := range tabs {
		sort.SliceStable(t.idx, func(a, b int) bool { return t.idx[a].at < t.idx[b].at })
		out[t.e.Name] = t
	}
	out["ledger_entries"] = &record.SliceTable{E: ledger.e, Rows: ledger.rows, At: ledger.at}
	for name, t := range op.smallTables(b) {
		out[name] = t
	}
	return out, nil
}
