package transform

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"huzhu/internal/codes"
	"huzhu/internal/privacy"
)

// filterUDF is an SQL function of one text that returns the value when
// the Go test holds of it and NULL when not (NULL for NULL: DuckDB's
// default, applied after it); a macro makes a boolean of it. The checks
// the transform registers:
//
//   - hz_valid_id: a valid citizen id number (codes.ValidID), behind the
//     macro hz_id_ok. As an SQL macro (a regular expression, a date parse
//     and 17 casts) the check cost 0.7 s of CPU for 1 M members, about
//     0.35 s of the members' stage.
//   - hz_personal: a value that looks like a person's data
//     (privacy.LooksPersonal, which extract masks by), behind the macro
//     hz_looks_personal. As an SQL macro (a regular expression and the
//     USCC check of the normalised code) it expanded into thousands of
//     expression nodes a column, which took 0.3 s to plan for a few rows
//     and 5 s to run over 1 M members.
type filterUDF func(string) bool

// The SQL names of the checks.
const (
	validIDName  = "hz_valid_id"
	personalName = "hz_personal"
)

func (filterUDF) Config() duckdb.ScalarFuncConfig {
	text, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	if err != nil {
		panic(err) // VARCHAR is a valid type: cannot happen
	}
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: text}
}

func (f filterUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{ChunkContextExecutor: f.chunk}
}

// chunk checks one chunk of values; one the test refuses stays NULL.
func (f filterUDF) chunk(_ context.Context, state *duckdb.ChunkIteratorState) error {
	in, out, err := textVectors(state)
	if err != nil {
		return err
	}
	for row := range in.Len() {
		v, ok, err := in.GetValueBorrowed(row)
		if err != nil {
			return err
		}
		if !ok || !f(v) {
			if err := out.SetNull(row); err != nil {
				return err
			}
			continue
		}
		if err := out.Set(row, v); err != nil {
			return err
		}
	}
	return nil
}

// textVectors gives a chunk's first argument and its result, both
// VARCHAR, to a scalar function of one text (hz_hmac, the checks).
func textVectors(state *duckdb.ChunkIteratorState) (duckdb.VectorView[string], duckdb.VectorWriter[string], error) {
	vec, err := state.GetInputChunk().GetVector(0)
	if err != nil {
		return duckdb.VectorView[string]{}, duckdb.VectorWriter[string]{}, err
	}
	in, err := duckdb.GetVectorView[string](vec)
	if err != nil {
		return in, duckdb.VectorWriter[string]{}, err
	}
	out, err := duckdb.GetVectorWriter[string](state.GetResultVector())
	return in, out, err
}

// registerChecks registers the checks (filterUDF) on conn's database.
func registerChecks(conn *sql.Conn) error {
	for name, test := range map[string]func(string) bool{validIDName: codes.ValidID, personalName: privacy.LooksPersonal} {
		if err := duckdb.RegisterScalarUDF(conn, name, filterUDF(test)); err != nil {
			return fmt.Errorf("transform: %s: %w", name, err)
		}
	}
	return nil
}
