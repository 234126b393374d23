// Package httpapi serves the HTTP API transport of HZ-OPS/1
// (contract-v1, "HTTP API") for the operator simulator: simulated
// operators' tables go in, and out comes an http.Handler that pages
// through them as the contract says, with faults injected on purpose.
//
// One Server hosts several operators, each under /{code}:
//
//	GET /                                    the operators and their base URLs
//	GET /{code}/v1/{entity}?updated_since=…&cursor=…&limit=…
//	GET /{code}/v1/manifest                  row counts and money sums
//
// The faults — 5xx, 429, timeouts, connection resets, bodies cut short —
// fall deterministically under a seed (see Faults and Options.Seed), so a
// client that behaves the same meets the same faults run after run.
package httpapi

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"huzhu/contract"
	"huzhu/internal/money"
	"huzhu/opsim/fileformat"
	"huzhu/opsim/record"
)

// Operator is one simulated operator as the API serves it.
type Operator struct {
	Code string // the operator's code: its path segment, /{Code}/v1/…
	Name string
	// AsOf is the instant the tables describe, answered as "as_of".
	AsOf record.Stamp
	// Tables holds the operator's tables by entity name. A contract entity
	// without a table is served as empty; a name that is no contract
	// entity is never served.
	Tables map[string]record.Table
}

// Options tune a Server. The zero value serves without auth or faults.
type Options struct {
	// Token, when set, is the bearer token every request must carry:
	// without an Authorization header the answer is 401, with another
	// token 403.
	Token string
	// Faults are the probabilities of injected faults per request. With
	// faults (or a Trace), the server remembers how often each distinct
	// URL was asked for: one map entry per URL, for the server's life.
	Faults Faults
	// Seed makes the fault draws; the same seed and the same sequence of
	// requests give the same faults.
	Seed uint64
	// TimeoutStall is how long a timeout fault holds the request before
	// answering 504 (if the client is still there). Default 30s.
	TimeoutStall time.Duration
	// MaxLimit caps a page's limit; a larger limit is cut to it silently.
	// Default 10000.
	MaxLimit int
	// Trace, when set, is called with every fault draw (FaultNone
	// included), from the request's goroutine, before the answer. For
	// logs and tests.
	Trace func(Draw)
}

// Draw is one request's fault draw.
type Draw struct {
	Key   string // method, path and raw query: "GET /OP1/v1/claims?limit=10"
	N     uint64 // how many times Key was requested before
	Fault Fault
}

// Stats counts what a Server has answered.
type Stats struct {
	Requests int64           // every request, listing and refused ones included
	Faults   map[Fault]int64 // faults served, by kind
}

// DefaultLimit is the page size when a request gives no limit.
const DefaultLimit = 1000

// Server is the HTTP API of a set of simulated operators. It is safe for
// concurrent use.
type Server struct {
	ops    []*operator
	byCode map[string]*operator
	opt    Options

	mu   sync.Mutex
	seen map[string]uint64 // requests so far per fault key

	requests atomic.Int64
	served   [numFaults]atomic.Int64

	rows sync.Pool // *record.Row
	bufs sync.Pool // *[]byte
}

// operator is an Operator with its manifest, built on first request.
type operator struct {
	Operator
	manifestOnce sync.Once
	manifest     []byte
}

// New returns a Server for ops. It panics if two operators share a code,
// a code is empty or holds a '/', or opt.Faults is invalid (see
// Faults.Validate): these are programming errors, not conditions to
// handle.
func New(ops []Operator, opt Options) *Server {
	if err := opt.Faults.Validate(); err != nil {
		panic(err)
	}
	if opt.TimeoutStall <= 0 {
		opt.TimeoutStall = 30 * time.Second
	}
	if opt.MaxLimit <= 0 {
		opt.MaxLimit = 10000
	}
	s := &Server{opt: opt, byCode: make(map[string]*operator, len(ops)), seen: map[string]uint64{}}
	for _, o := range ops {
		if o.Code == "" || strings.Contains(o.Code, "/") {
			panic(fmt.Sprintf("httpapi: bad operator code %q", o.Code))
		}
		if s.byCode[o.Code] != nil {
			panic("httpapi: duplicate operator " + o.Code)
		}
		op := &operator{Operator: o}
		s.ops = append(s.ops, op)
		s.byCode[o.Code] = op
	}
	s.rows.New = func() any { return new(record.Row) }
	s.bufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	return s
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	st := Stats{Requests: s.requests.Load(), Faults: map[Fault]int64{}}
	for k := Fault5xx; k < numFaults; k++ {
		st.Faults[k] = s.served[k].Load()
	}
	return st
}

// ServeHTTP implements http.Handler.
//
// Auth comes first, so that 401 and 403 — fatal for a client — never
// depend on a draw. The listing at / is never faulted: it is the
// simulator's directory, not part of an operator's API, and the contract's
// misbehaviours are those of {base}. Every other request, a 404 included,
// takes a fault draw.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.opt.Token != "" {
		auth := r.Header.Get("Authorization")
		const scheme = "Bearer " // the scheme is case-insensitive (RFC 9110 §11.1)
		if len(auth) <= len(scheme) || !strings.EqualFold(auth[:len(scheme)], scheme) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="opsim"`)
			s.writeError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		if subtle.ConstantTimeCompare([]byte(auth[len(scheme):]), []byte(s.opt.Token)) != 1 {
			s.writeError(w, http.StatusForbidden, "token refused")
			return
		}
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.writeError(w, http.StatusMethodNotAllowed, "only GET")
		return
	}
	if r.URL.Path == "/" {
		s.serveListing(w, r)
		return
	}

	fault, h := FaultNone, uint64(0)
	if s.opt.Faults.Enabled() || s.opt.Trace != nil {
		key := r.Method + " " + r.URL.RequestURI()
		s.mu.Lock()
		n := s.seen[key]
		s.seen[key] = n + 1
		s.mu.Unlock()
		fault, h = s.opt.Faults.decide(s.opt.Seed, key, n)
		if s.opt.Trace != nil {
			s.opt.Trace(Draw{Key: key, N: n, Fault: fault})
		}
	}
	if fault != FaultNone {
		s.served[fault].Add(1)
	}
	switch fault {
	case Fault5xx:
		s.writeError(w, [...]int{500, 502, 503}[h%3], "simulated server error")
		return
	case Fault429:
		w.Header().Set("Retry-After", "1")
		s.writeError(w, http.StatusTooManyRequests, "simulated rate limit")
		return
	case FaultTimeout:
		t := time.NewTimer(s.opt.TimeoutStall)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
			s.writeError(w, http.StatusGatewayTimeout, "simulated timeout")
		}
		return
	case FaultReset:
		reset(w)
		return
	}

	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	status, body := s.answer((*bp)[:0], r)
	*bp = body[:0]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if fault == FaultTruncate {
		cut := int(h % uint64(len(body)))
		w.Write(body[:cut])
		truncate(w)
		return
	}
	w.Write(body)
}

// reset closes the connection with SO_LINGER 0, which makes the kernel
// send a TCP RST instead of a FIN. Where the connection cannot be
// hijacked (HTTP/2), it aborts the handler, which resets the stream.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc := tcpConn(conn); tc != nil {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncate ends a response whose body was cut short: it flushes what was
// written and closes the connection (a FIN: the client sees the body end
// before its Content-Length).
func truncate(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		// net/http closes a connection whose body fell short of its
		// Content-Length anyway.
		return
	}
	conn.Close()
}

// tcpConn finds the TCP connection under conn, TLS or not.
func tcpConn(conn net.Conn) *net.TCPConn {
	for {
		switch c := conn.(type) {
		case *net.TCPConn:
			return c
		case interface{ NetConn() net.Conn }:
			conn = c.NetConn()
		default:
			return nil
		}
	}
}

// answer builds the response to an operator request into dst.
func (s *Server) answer(dst []byte, r *http.Request) (int, []byte) {
	code, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op := s.byCode[code]
	if op == nil {
		return http.StatusNotFound, appendError(dst, fmt.Sprintf("unknown operator %q", code))
	}
	name, ok := strings.CutPrefix(rest, "v1/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return http.StatusNotFound, appendError(dst, fmt.Sprintf("no such path %q", r.URL.Path))
	}
	if name == "manifest" {
		return http.StatusOK, append(dst, op.manifestJSON()...)
	}
	e := contract.Lookup(name)
	if e == nil {
		return http.StatusNotFound, appendError(dst, fmt.Sprintf("unknown entity %q", name))
	}
	return s.page(dst, r, op, e)
}

// page answers GET {base}/v1/{entity}.
//
// A page starts at the cursor's row if there is a cursor (the cursor
// already lies at or after the updated_since the client began with), else
// at the first row with updated_at ≥ updated_since, else at the first row.
func (s *Server) page(dst []byte, r *http.Request, op *operator, e *contract.Entity) (int, []byte) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return http.StatusBadRequest, appendError(dst, fmt.Sprintf("bad query: %v", err))
	}
	var t record.Table = emptyTable{e}
	if tt := op.Tables[e.Name]; tt != nil {
		t = tt
	}
	limit := DefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return http.StatusBadRequest, appendError(dst, fmt.Sprintf("limit %q is not a positive integer", v))
		}
		limit = n
	}
	limit = min(limit, s.opt.MaxLimit)

	start := 0
	if c := q.Get("cursor"); c != "" {
		i, err := decodeCursor(op.Code, e.Name, c)
		if err != nil || i > t.Len() {
			return http.StatusBadRequest, appendError(dst, fmt.Sprintf("bad cursor %q", c))
		}
		start = i
	} else if v := q.Get("updated_since"); v != "" {
		since, err := parseSince(v)
		if err != nil {
			return http.StatusBadRequest, appendError(dst, fmt.Sprintf("updated_since %q is not RFC 3339", v))
		}
		start = sort.Search(t.Len(), func(i int) bool { return t.UpdatedAt(i) >= since })
	}
	end := min(start+limit, t.Len())

	row := s.rows.Get().(*record.Row)
	defer s.rows.Put(row)
	dst = append(dst, `{"data":[`...)
	for i := start; i < end; i++ {
		if i > start {
			dst = append(dst, ',')
		}
		t.Read(i, row)
		dst = fileformat.AppendJSON(dst, e, row)
	}
	dst = append(dst, `],"next_cursor":`...)
	if end < t.Len() {
		dst = append(dst, '"')
		dst = appendCursor(dst, op.Code, e.Name, end)
		dst = append(dst, '"')
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"as_of":"`...)
	dst = op.AsOf.AppendText(dst)
	dst = append(dst, `"}`...)
	return http.StatusOK, dst
}

// parseSince reads an RFC 3339 instant, with any offset, as the Stamp
// from which rows are served: a fraction of a second rounds up, since a
// row at a whole second before it is not "since" it. A '+' that a client
// forgot to escape arrives as a space; it is put back.
func parseSince(v string) (record.Stamp, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil && strings.Contains(v, " ") {
		t, err = time.Parse(time.RFC3339, strings.ReplaceAll(v, " ", "+"))
	}
	if err != nil {
		return 0, err
	}
	st := record.Stamp(t.Unix())
	if t.Nanosecond() > 0 {
		st++
	}
	return st, nil
}

// A cursor is the unpadded base64url of the index of the page's first row
// (uvarint) followed by 4 bytes of a hash of operator, entity and index, so
// that a cursor altered, made up or taken to another entity is refused.
func appendCursor(dst []byte, code, entity string, i int) []byte {
	var raw [binary.MaxVarintLen64 + 4]byte
	n := binary.PutUvarint(raw[:], uint64(i))
	binary.BigEndian.PutUint32(raw[n:], cursorSum(code, entity, raw[:n]))
	return base64.RawURLEncoding.AppendEncode(dst, raw[:n+4])
}

var errCursor = errors.New("bad cursor")

func decodeCursor(code, entity, c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 5 {
		return 0, errCursor
	}
	i, n := binary.Uvarint(raw)
	if n <= 0 || n != len(raw)-4 || i > 1<<40 {
		return 0, errCursor
	}
	if binary.BigEndian.Uint32(raw[n:]) != cursorSum(code, entity, raw[:n]) {
		return 0, errCursor
	}
	return int(i), nil
}

func cursorSum(code, entity string, idx []byte) uint32 {
	h := uint64(14695981039346656037)
	for _, part := range [][]byte{[]byte(code), {0}, []byte(entity), {0}, idx} {
		for _, c := range part {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	return uint32(mix(h))
}

// SumField returns the name of the entity's main money field, the one the
// manifest sums, or "" for an entity whose manifest entry has only a row
// count.
func SumField(entity string) string { return sumField[entity] }

var sumField = map[string]string{
	"enrollments":    "amount",
	"claims":         "claimed_amount",
	"ledger_entries": "debit",
	"investments":    "market_value",
	"budgets":        "amount",
	"assistance":     "amount",
}

// manifestJSON returns the operator's manifest, built on first use: every
// contract entity in contract order with its row count and, for those in
// SumField, sum_amount, the exact sum of the field in canonical money form.
// A null, or a value money.Parse refuses (a planted "1,234.5"), is left
// out of the sum: the operator's own system would not have summed it
// either, and the reconciliation then shows the defect.
func (op *operator) manifestJSON() []byte {
	op.manifestOnce.Do(func() {
		var row record.Row
		b := []byte(`{"as_of":"`)
		b = op.AsOf.AppendText(b)
		b = append(b, `","entities":{`...)
		for n, e := range contract.Entities() {
			if n > 0 {
				b = append(b, ',')
			}
			t := op.Tables[e.Name]
			rows := 0
			if t != nil {
				rows = t.Len()
			}
			b = fmt.Appendf(b, `"%s":{"rows":%d`, e.Name, rows)
			if f := sumField[e.Name]; f != "" {
				var sum money.Cents
				col := e.Index(f)
				for i := range rows {
					t.Read(i, &row)
					if row.IsNull(col) {
						continue
					}
					if c, err := money.Parse(string(row.Field(col))); err == nil {
						sum += c
					}
				}
				b = append(b, `,"sum_amount":"`...)
				b = sum.AppendText(b)
				b = append(b, '"')
			}
			b = append(b, '}')
		}
		op.manifest = append(b, `}}`...)
	})
	return op.manifest
}

// serveListing answers GET / with every operator and its base URL.
func (s *Server) serveListing(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Operator string `json:"operator"`
		Name     string `json:"name"`
		Base     string `json:"base"`
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	list := struct {
		Operators []entry `json:"operators"`
	}{Operators: make([]entry, 0, len(s.ops))}
	for _, op := range s.ops {
		list.Operators = append(list.Operators, entry{op.Code, op.Name, scheme + "://" + r.Host + "/" + op.Code})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(list); err != nil {
		s.writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b.Bytes())
}

func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, appendError(nil, msg))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// appendError appends {"error": msg}.
func appendError(dst []byte, msg string) []byte {
	m, _ := json.Marshal(msg)
	dst = append(dst, `{"error":`...)
	dst = append(dst, m...)
	return append(dst, '}')
}

// emptyTable stands for a contract entity the operator has no table for.
type emptyTable struct{ e *contract.Entity }

func (t emptyTable) Entity() *contract.Entity   { return t.e }
func (t emptyTable) Len() int                   { return 0 }
func (t emptyTable) Read(int, *record.Row)      {}
func (t emptyTable) UpdatedAt(int) record.Stamp { return 0 }
