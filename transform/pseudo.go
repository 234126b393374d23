package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"huzhu/internal/pseudonym"
)

// hmacUDF is the SQL function hz_hmac(VARCHAR) → VARCHAR: the first 32 hex
// digits of HMAC-SHA256 of the value's UTF-8 bytes under key, which the
// macro hz_pseudo (sql/macros.sql) calls. Computed in SQL (sha256 of the
// key's pads and the value, twice), each pseudonymised column cost 0.47 s
// of the members' stage at 1 M members; here a value costs about 140 ns.
// Without a key (DefineMacros outside a transform run) it refuses to run.
type hmacUDF struct{ key []byte }

// hmacName is the SQL name of hmacUDF.
const hmacName = "hz_hmac"

// errNoPseudoKey is hz_hmac's error without a key.
var errNoPseudoKey = errors.New("hz_hmac: pseudonyms need the run's key (only a transform run has it)")

func (u *hmacUDF) Config() duckdb.ScalarFuncConfig {
	text, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	if err != nil {
		panic(err) // VARCHAR is a valid type: cannot happen
	}
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: text}
}

func (u *hmacUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{ChunkContextExecutor: u.chunk}
}

// chunk computes the pseudonyms of one chunk of values (NULL in, NULL out:
// DuckDB's default, applied after it). DuckDB may call it from several
// threads at once: each call has its own HMAC state.
func (u *hmacUDF) chunk(_ context.Context, state *duckdb.ChunkIteratorState) error {
	if u.key == nil {
		return errNoPseudoKey
	}
	in, out, err := textVectors(state)
	if err != nil {
		return err
	}
	m := pseudonym.NewMaker(u.key) // one a call: DuckDB calls from several threads
	for row := range in.Len() {
		v, ok, err := in.GetValueBorrowed(row)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := out.Set(row, m.Of(v)); err != nil {
			return err
		}
	}
	return nil
}

// registerHMAC makes hz_hmac compute pseudonyms under key (nil: refuse)
// on conn's database. DuckDB keeps one such function a database: the last
// registration holds, for every connection.
func registerHMAC(conn *sql.Conn, key []byte) error {
	if err := duckdb.RegisterScalarUDF(conn, hmacName, &hmacUDF{key: key}); err != nil {
		return fmt.Errorf("transform: %s: %w", hmacName, err)
	}
	return nil
}

// haveHMAC says whether conn's database has hz_hmac already.
func haveHMAC(ctx context.Context, conn *sql.Conn) (bool, error) {
	var n int
	err := conn.QueryRowContext(ctx, mustRead("sql/have_function.sql"), hmacName).Scan(&n)
	return n > 0, err
}
