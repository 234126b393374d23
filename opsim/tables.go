package opsim

import (
	"huzhu/contract"
	"huzhu/opsim/record"
)

// Tables generates one operator's world as of its day and returns every
// entity as a Table in the HTTP API's order (updated_at, natural key).
func (op *Operator) Tables() (map[string]record.Table, error) {
	g := newMemberGen(op)
	ag := newAggregates()
	var tabs [numMemberEnts]*record.ArenaTable
	for i := range tabs {
		tabs[i] = &record.ArenaTable{E: contract.Lookup(memberEntityNames[i])}
	}
	var row record.Row
	// Members are generated in key order and a member's rows of an entity
	// come in key order, so a stable sort on updated_at gives the API's
	// (updated_at, natural key) order.
	emit := func(ent, _ int, at record.Stamp, r *record.Row) { tabs[ent].Append(at, r) }
	for i := 0; i < op.Members; i++ {
		d := g.draw(i)
		ag.add(d)
		g.emit(d, &row, emit, nil)
	}
	ledger := newTableBuilder("ledger_entries", op.w.P.AsOf.At(23, 59, 59))
	b := newBooks(op, ag, nil, func(at record.Stamp, r *record.Row) {
		// Ledger rows arrive in (posted day, voucher, line) order.
		ledger.rows = append(ledger.rows, record.Row{})
		ledger.rows[len(ledger.rows)-1].CopyFrom(r)
		ledger.at = append(ledger.at, at)
		ledger.keys = append(ledger.keys, "")
	})
	b.run()
	out := map[string]record.Table{}
	for _, t := range tabs {
		t.Sort()
		out[t.E.Name] = t
	}
	out["ledger_entries"] = &record.SliceTable{E: ledger.e, Rows: ledger.rows, At: ledger.at}
	for name, t := range op.smallTables(b) {
		out[name] = t
	}
	return out, nil
}
