// Package pseudonym makes the warehouse's pseudonyms, seals the few values
// of a person's it must read back (Seal: where an incremental pull stands),
// and guards the key both are made under.
//
// A pseudonym is the first 32 hex digits of HMAC-SHA256 of a value's UTF-8
// bytes under the run's key (config [pseudonymise] key_env). Extract makes
// them as the rows arrive, before anything reaches DuckDB
// (extract/pseudonymise.go); the transform makes them of what extract
// could not (transform/pseudo.go, hz_hmac). The warehouse keeps the
// fingerprint of the key of its first pseudonyms (ops.pseudonym_key), and
// every later stage that makes any must hold the same key: pseudonyms under
// two keys would never meet.
package pseudonym

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

func mustRead(name string) string {
	b, err := sqlFiles.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return string(b)
}

var (
	sqlKeyGet = mustRead("sql/key_get.sql")
	sqlKeySet = mustRead("sql/key_set.sql")
)

// ErrKeyMismatch is returned when the key is not the one the warehouse's
// pseudonyms were made under (ops.pseudonym_key): its members would get
// other pseudonyms than those already made.
var ErrKeyMismatch = errors.New("the pseudonymisation key is not the one this warehouse's pseudonyms were made under")

// Fingerprint is HMAC-SHA256 of a fixed text under key, 32 hex digits: two
// keys are told apart, and nothing of either is given away.
func Fingerprint(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("huzhu pseudonym key fingerprint v1"))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// DB is what Claim needs of a connection: *sql.DB and *sql.Conn are both.
type DB interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Claim refuses a key other than the one the warehouse's pseudonyms were
// made under (ErrKeyMismatch, naming the run that recorded it), and records
// the key of the first run that makes any.
func Claim(ctx context.Context, db DB, runID string, key []byte) error {
	fp := Fingerprint(key)
	var have, first string
	err := db.QueryRowContext(ctx, sqlKeyGet).Scan(&have, &first)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := db.ExecContext(ctx, sqlKeySet, fp, runID); err != nil {
			return fmt.Errorf("key fingerprint: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("key fingerprint: %w", err)
	case have != fp:
		// Neither fingerprint: a log line with one would let anybody test
		// guesses at a weak key offline (ops.pseudonym_key, in the
		// warehouse beside the pseudonyms themselves, keeps the first).
		return fmt.Errorf("%w (the key of run %s): set the key of that run, or start a new warehouse", ErrKeyMismatch, first)
	}
	return nil
}

// Maker makes pseudonyms under one key. It is not safe for concurrent use:
// give each goroutine its own.
type Maker struct {
	mac hash.Hash
	buf []byte // the value's bytes: a conversion a value cost an allocation each
	sum [sha256.Size]byte
	hex [32]byte
}

// NewMaker returns a Maker for key.
func NewMaker(key []byte) *Maker {
	return &Maker{mac: hmac.New(sha256.New, key)}
}

// Of returns the pseudonym of v: 32 lower-case hex digits.
func (m *Maker) Of(v string) string {
	m.mac.Reset()
	m.buf = append(m.buf[:0], v...)
	m.mac.Write(m.buf)
	hex.Encode(m.hex[:], m.mac.Sum(m.sum[:0])[:16])
	return string(m.hex[:])
}
