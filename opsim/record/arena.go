package record

import (
	"encoding/binary"
	"sort"

	"huzhu/contract"
)

// ArenaTable is a Table whose rows are packed end to end in one byte
// arena: a few bytes of overhead a row instead of a Row's slices, so that a
// simulated operator of a million members can be served from memory.
// Append rows, then Sort once; after that it is read-only and safe for
// concurrent reads.
type ArenaTable struct {
	E     *contract.Entity
	data  []byte
	offs  []uint64 // start of each appended row in data
	at    []Stamp  // updated_at of each appended row
	order []uint32 // rows in (updated_at, append) order, after Sort
}

// Append packs a copy of r with its updated_at.
func (t *ArenaTable) Append(at Stamp, r *Row) {
	t.offs = append(t.offs, uint64(len(t.data)))
	t.at = append(t.at, at)
	t.data = append(t.data, byte(len(r.ends)), byte(r.Mangle))
	t.data = binary.LittleEndian.AppendUint64(t.data, r.nulls)
	prev := 0
	for _, e := range r.ends {
		t.data = binary.AppendUvarint(t.data, uint64(e-prev))
		prev = e
	}
	t.data = append(t.data, r.buf...)
}

// Sort orders the rows by updated_at, keeping the append order among equal
// ones: append rows of equal updated_at in natural-key order.
func (t *ArenaTable) Sort() {
	t.order = make([]uint32, len(t.offs))
	for i := range t.order {
		t.order[i] = uint32(i)
	}
	sort.SliceStable(t.order, func(a, b int) bool { return t.at[t.order[a]] < t.at[t.order[b]] })
}

// Entity implements Table.
func (t *ArenaTable) Entity() *contract.Entity { return t.E }

// Len implements Table.
func (t *ArenaTable) Len() int { return len(t.offs) }

// UpdatedAt implements Table.
func (t *ArenaTable) UpdatedAt(i int) Stamp { return t.at[t.order[i]] }

// Read implements Table.
func (t *ArenaTable) Read(i int, r *Row) {
	p := t.data[t.offs[t.order[i]]:]
	n := int(p[0])
	r.Reset()
	r.Mangle = Mangle(p[1])
	r.nulls = binary.LittleEndian.Uint64(p[2:10])
	p = p[10:]
	end := 0
	for k := 0; k < n; k++ {
		d, w := binary.Uvarint(p)
		p = p[w:]
		end += int(d)
		r.ends = append(r.ends, end)
	}
	r.buf = append(r.buf, p[:end]...)
}
