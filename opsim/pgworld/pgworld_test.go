package pgworld_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"huzhu/contract"
	"huzhu/internal/pgtest"
	"huzhu/opsim"
	"huzhu/opsim/pgworld"
	"huzhu/opsim/record"
)

// content is an entity's rows as a count and an order-independent hash.
type content struct {
	rows int64
	sum  uint64
}

func rowHash(vals [][]byte) uint64 {
	h := sha256.New()
	for _, v := range vals {
		if v == nil {
			h.Write([]byte{0})
		} else {
			h.Write([]byte{1})
			h.Write(v)
		}
		h.Write([]byte{0xff})
	}
	return binary.LittleEndian.Uint64(h.Sum(nil))
}

// generated is what op.Generate emits, per entity.
type generated map[string]*content

func (g generated) Row(entity string, _ record.Stamp, r *record.Row) error {
	c := g[entity]
	if c == nil {
		c = &content{}
		g[entity] = c
	}
	vals := make([][]byte, r.Len())
	for i := range vals {
		vals[i] = r.Field(i)
	}
	c.rows++
	c.sum += rowHash(vals)
	return nil
}

// tableContent reads an entity's table back, updated_at in the contract's
// form.
func tableContent(t *testing.T, conn *pgx.Conn, schema string, e *contract.Entity) content {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT * FROM "+pgx.Identifier{schema, e.Name}.Sanitize())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var c content
	ua := e.Index("updated_at")
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		fields := make([][]byte, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case string:
				fields[i] = []byte(v)
			case time.Time:
				if i != ua {
					t.Fatalf("%s: column %d is a timestamp", e.Name, i)
				}
				fields[i] = []byte(record.Stamp(v.Unix()).String())
			default:
				t.Fatalf("%s: column %d is %T", e.Name, i, v)
			}
		}
		c.rows++
		c.sum += rowHash(fields)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoad loads an operator with planted defects (duplicate keys, bad
// values) and checks every table holds exactly what the generator emits,
// then loads the world a few days on over it.
func TestLoad(t *testing.T) {
	_, conn := pgtest.Connect(t)
	ctx := context.Background()
	p := opsim.DefaultParams()
	p.Members, p.Operators, p.DefectRate = 1500, 1, 0.05
	for _, shift := range []record.Day{0, 3} {
		p.AsOf += shift
		w, err := opsim.NewWorld(p)
		if err != nil {
			t.Fatal(err)
		}
		op := w.Operators[0]
		got, err := pgworld.Load(ctx, conn, "ops_test", op)
		if err != nil {
			t.Fatal(err)
		}
		want := generated{}
		if err := op.Generate(want); err != nil {
			t.Fatal(err)
		}
		for _, e := range contract.Entities() {
			wc := content{}
			if want[e.Name] != nil {
				wc = *want[e.Name]
			}
			if got[e.Name] != wc.rows {
				t.Errorf("as of %s: Load rows[%s] = %d, want %d", p.AsOf, e.Name, got[e.Name], wc.rows)
			}
			if tc := tableContent(t, conn, "ops_test", e); tc != wc {
				t.Errorf("as of %s: table %s holds %d rows (hash %x), generator emits %d (hash %x)", p.AsOf, e.Name, tc.rows, tc.sum, wc.rows, wc.sum)
			}
		}
		if len(got) != len(contract.Entities()) {
			t.Errorf("Load returned %d entities, want %d", len(got), len(contract.Entities()))
		}
	}
}

// BenchmarkLoad loads every operator of a 100,000-member world per
// iteration and reports rows/s.
func BenchmarkLoad(b *testing.B) {
	dsn := pgtest.Start(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	p := opsim.DefaultParams()
	p.Members = 100000
	w, err := opsim.NewWorld(p)
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, op := range w.Operators {
			got, err := pgworld.Load(ctx, conn, "ops_"+op.Short, op)
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range got {
				rows += n
			}
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
