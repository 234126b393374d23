package extract

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"huzhu/contract"
)

// chunkRows is how many rows a Batch holds before it is handed to DuckDB.
const chunkRows = 64 << 10

// Batch accumulates raw rows of one entity as Arrow columns: one nullable
// string column per contract field in contract order, then extra and
// source_pos. It is not safe for concurrent use.
type Batch struct {
	Entity *contract.Entity
	b      *array.RecordBuilder
	cols   []*array.StringBuilder
	n      int
}

// rawSchema is the Arrow schema of an entity's batches.
func rawSchema(e *contract.Entity) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(e.Fields)+2)
	for _, f := range e.Fields {
		fields = append(fields, arrow.Field{Name: f.Name, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields,
		arrow.Field{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "source_pos", Type: arrow.BinaryTypes.String})
	return arrow.NewSchema(fields, nil)
}

// NewBatch returns an empty batch for the entity.
func NewBatch(e *contract.Entity) *Batch {
	b := &Batch{Entity: e, b: array.NewRecordBuilder(memory.DefaultAllocator, rawSchema(e))}
	for i := range b.b.Fields() {
		b.cols = append(b.cols, b.b.Field(i).(*array.StringBuilder))
	}
	return b
}

// Len returns the number of rows appended since the last Record.
func (b *Batch) Len() int { return b.n }

// Full reports whether the batch should be handed over.
func (b *Batch) Full() bool { return b.n >= chunkRows }

// Append adds a row. vals holds the contract fields in contract order;
// null[i] marks field i absent. extra is a JSON object of unknown columns
// or "" for none; pos says where the row was in its source.
func (b *Batch) Append(vals []string, null []bool, extra, pos string) {
	for i, v := range vals {
		if null != nil && null[i] {
			b.cols[i].AppendNull()
		} else {
			b.cols[i].Append(v)
		}
	}
	b.appendTail(extra, pos)
}

// AppendBytes is Append for values held as bytes (nil = null).
func (b *Batch) AppendBytes(vals [][]byte, extra, pos string) {
	for i, v := range vals {
		if v == nil {
			b.cols[i].AppendNull()
		} else {
			b.cols[i].BinaryBuilder.Append(v)
		}
	}
	b.appendTail(extra, pos)
}

func (b *Batch) appendTail(extra, pos string) {
	k := len(b.Entity.Fields)
	if extra == "" {
		b.cols[k].AppendNull()
	} else {
		b.cols[k].Append(extra)
	}
	b.cols[k+1].Append(pos)
	b.n++
}

// Record returns the rows appended so far as one record batch and empties
// the batch. The caller releases the record.
func (b *Batch) Record() arrow.RecordBatch {
	b.n = 0
	return b.b.NewRecordBatch()
}

// Release frees the builders.
func (b *Batch) Release() { b.b.Release() }
