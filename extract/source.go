package extract

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"huzhu/internal/config"
)

// Source pulls one operator's entities into the raw schema. Pull resumes
// from the watermarks its Loader holds and commits each file batch, page
// run or query chunk at most once. A Pull that finds nothing new returns
// nil having committed nothing. Pull owns no resources after it returns.
type Source interface {
	// Name says which operator and transport, for logs and errors.
	Name() string
	// Pull loads what is new into the warehouse through l.
	Pull(ctx context.Context, l *Loader) error
}

// Retrier is a Source that sends requests again on transient failures
// and counts them (the HTTP source): Run reports the count.
type Retrier interface {
	// Retries is the number of requests sent again in the last Pull.
	Retries() int64
}

// Opener makes a Source from its config entry.
type Opener func(src config.Source, opt Options) (Source, error)

// Options tune the sources.
type Options struct {
	// Getenv reads the environment (tokens); nil means os.Getenv.
	Getenv func(string) string
	// HTTP tunes the HTTP source.
	HTTP HTTPOptions
	// Logger receives the stage's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Progress, when set, is told of rows as they are committed.
	Progress func(source, entity string, rows int64)
	// PIIKey, when set, is the pseudonymisation key: a person's data is
	// replaced by pseudonyms before it reaches the warehouse
	// (pseudonymise.go), and the warehouse must be one whose pseudonyms
	// were made under it. Without it raw receives the data as sent, for
	// the transform to replace.
	PIIKey []byte
}

// openers is the one place that names the transports.
func openers() map[string]Opener {
	m := map[string]Opener{}
	register := func(kind string, o Opener) {
		if m[kind] != nil {
			panic("extract: duplicate source kind " + kind)
		}
		m[kind] = o
	}
	register(config.KindFiles, openFiles)
	register(config.KindHTTP, openHTTP)
	register(config.KindPostgres, openPostgres)
	return m
}

// Kinds lists the registered source kinds.
func Kinds() []string {
	var ks []string
	for k := range openers() {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Open makes the Source of a config entry.
func Open(src config.Source, opt Options) (Source, error) {
	o := openers()[src.Kind]
	if o == nil {
		return nil, fmt.Errorf("extract: source %s: unknown kind %q", src.Operator, src.Kind)
	}
	return o(src, opt)
}
