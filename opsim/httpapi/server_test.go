package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"huzhu/contract"
	"huzhu/internal/money"
	"huzhu/opsim/fileformat"
	"huzhu/opsim/httpapi"
	"huzhu/opsim/record"
)

// HonestClient pulls an operator's pages the way contract-v1 asks of a
// client: it retries 5xx, 429, timeouts, resets and bodies cut short, with
// backoff, honours Retry-After up to a cap, and hands over each page once,
// only when it arrived whole. 4xx answers other than 429 are final.
//
// It is a test helper, kept small; the extractor is built elsewhere.
type HonestClient struct {
	HTTP  *retryablehttp.Client
	Token string
	// RetryAfterCap bounds the wait a Retry-After asks for.
	RetryAfterCap time.Duration
	// BodyRetries bounds how often a page whose body failed to arrive or
	// to decode is asked for again.
	BodyRetries int
}

// NewHonestClient returns a client whose every attempt gives up after
// timeout, with backoff and Retry-After waits of at most a few
// milliseconds: for tests.
func NewHonestClient(token string, timeout time.Duration) *HonestClient {
	c := &HonestClient{Token: token, RetryAfterCap: 5 * time.Millisecond, BodyRetries: 30}
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	rc.RetryMax = 30
	rc.RetryWaitMin = time.Millisecond
	rc.RetryWaitMax = 5 * time.Millisecond
	rc.CheckRetry = retryablehttp.DefaultRetryPolicy
	rc.Backoff = func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
				return min(time.Duration(s)*time.Second, c.RetryAfterCap)
			}
		}
		d := lo << min(attempt, 20)
		return min(d, hi)
	}
	c.HTTP = rc
	return c
}

// Close releases the client's idle connections.
func (c *HonestClient) Close() { c.HTTP.HTTPClient.CloseIdleConnections() }

// StatusError is a final, non-retryable answer.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// GetJSON fetches u and decodes its JSON body into v, retrying until a
// whole, decodable 200 answer arrives.
func (c *HonestClient) GetJSON(ctx context.Context, u string, v any) error {
	var lastErr error
	for range c.BodyRetries + 1 {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		if c.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s: %w", u, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			lastErr = err // cut short (unexpected EOF) or timed out: ask again
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %w", u, &StatusError{resp.StatusCode, string(body)})
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			lastErr = err
			continue
		}
		return nil
	}
	return fmt.Errorf("GET %s: gave up: %w", u, lastErr)
}

// Page is one answer of GET {base}/v1/{entity}.
type Page struct {
	Data       []json.RawMessage `json:"data"`
	NextCursor *string           `json:"next_cursor"`
	AsOf       string            `json:"as_of"`
}

// Pull returns every row of entity from base updated at or after since
// ("" for all), limit rows a page, in the order served.
func (c *HonestClient) Pull(ctx context.Context, base, entity, since string, limit int) ([]json.RawMessage, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if since != "" {
		q.Set("updated_since", since)
	}
	var rows []json.RawMessage
	for {
		var p Page
		if err := c.GetJSON(ctx, base+"/v1/"+entity+"?"+q.Encode(), &p); err != nil {
			return rows, err
		}
		rows = append(rows, p.Data...)
		if p.NextCursor == nil {
			return rows, nil
		}
		q.Set("cursor", *p.NextCursor)
		q.Del("updated_since") // the cursor carries the position
	}
}

// ---- fixtures ----

var base = record.DayOf(2024, 3, 1).At(9, 0, 0)

// fixture is a table of n rows of e over stamps distinct updated_at values
// an hour apart, with the expected manifest sum of its money field.
type fixture struct {
	table *record.SliceTable
	sum   money.Cents
}

var texts = []string{"職工互助", "👩‍👩‍👧 家庭", "a,b \"quoted\"\nline", " leading", "１２３ full-width", `back\slash`, "🇨🇳👍🏽"}

func makeFixture(e *contract.Entity, n, stamps int) fixture {
	t := &record.SliceTable{E: e, Rows: make([]record.Row, n), At: make([]record.Stamp, n)}
	sumCol := -1
	if f := httpapi.SumField(e.Name); f != "" {
		sumCol = e.Index(f)
	}
	key := e.Index(e.Key[0])
	var sum money.Cents
	for i := range n {
		at := base + record.Stamp(i*stamps/n*3600)
		t.At[i] = at
		r := &t.Rows[i]
		for j, f := range e.Fields {
			switch {
			case j == key && f.Kind == contract.Int:
				r.Int(int64(i))
			case j == key:
				r.Str(fmt.Sprintf("K%07d", i))
			case f.Name == "updated_at":
				r.TS(at)
			case j == sumCol && i%101 == 7:
				r.Str("1,234.5") // a planted defect, left out of the sum
			case j == sumCol:
				c := money.Cents(i*137%100000 - 5000)
				sum += c
				r.Cents(c)
			case f.Nullable && i%7 == 3:
				r.Null()
			case f.Kind == contract.Text:
				r.Str(texts[i%len(texts)])
			case f.Kind == contract.Money:
				r.Str("12.50")
			case f.Kind == contract.Int:
				r.Int(int64(i % 100))
			case f.Kind == contract.Decimal:
				r.Str("3.25")
			case f.Kind == contract.Bool:
				r.Bool(i%2 == 0)
			case f.Kind == contract.Enum:
				r.Str(f.Values[i%len(f.Values)])
			case f.Kind == contract.Date:
				r.Day(at.Day())
			case f.Kind == contract.TS:
				r.TS(at - 86400)
			case f.Kind == contract.USCC:
				r.Str("91440101MA5CXXXX1X")
			case f.Kind == contract.Region:
				r.Str("440100")
			default:
				r.Str(fmt.Sprintf("C%02d", i%50))
			}
		}
	}
	return fixture{t, sum}
}

// world is the operators every test serves.
type world struct {
	ops      []httpapi.Operator
	fixtures map[string]map[string]fixture // by operator code, entity
}

func newWorld() *world {
	w := &world{fixtures: map[string]map[string]fixture{}}
	add := func(code, name string, sizes map[string][2]int) {
		op := httpapi.Operator{Code: code, Name: name, AsOf: base + 30*86400, Tables: map[string]record.Table{}}
		w.fixtures[code] = map[string]fixture{}
		for ent, sz := range sizes {
			fx := makeFixture(contract.Lookup(ent), sz[0], sz[1])
			op.Tables[ent] = fx.table
			w.fixtures[code][ent] = fx
		}
		w.ops = append(w.ops, op)
	}
	add("91440000MA01", "广东省职工互助保障会", map[string][2]int{
		"claims": {3000, 12}, "enrollments": {2000, 7}, "organizations": {40, 1}, "ledger_entries": {700, 30},
	})
	add("91110000MA02", "北京市職工互助", map[string][2]int{"claims": {500, 5}})
	return w
}

// wantRows returns the rows of a fixture from index from on, as the API
// must encode them.
func (w *world) wantRows(code, entity string, from int) []json.RawMessage {
	fx, ok := w.fixtures[code][entity]
	if !ok {
		return nil
	}
	var out []json.RawMessage
	for i := from; i < fx.table.Len(); i++ {
		out = append(out, fileformat.AppendJSON(nil, fx.table.E, &fx.table.Rows[i]))
	}
	return out
}

func serve(t *testing.T, w *world, opt httpapi.Options) (*httptest.Server, *httpapi.Server) {
	t.Helper()
	s := httpapi.New(w.ops, opt)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s
}

// get does one plain request and returns the status and body.
func get(t *testing.T, u, auth string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", u, err)
	}
	return resp.StatusCode, body
}

func equalRows(t *testing.T, what string, got, want []json.RawMessage) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%s: row %d = %s, want %s", what, i, got[i], want[i])
			return
		}
	}
}

// ---- tests ----

func TestListing(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{})
	status, body := get(t, ts.URL+"/", "")
	if status != http.StatusOK {
		t.Fatalf("GET / = %d %.200s", status, body)
	}
	var got struct {
		Operators []struct{ Operator, Name, Base string }
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("GET / body %s: %v", body, err)
	}
	if len(got.Operators) != len(w.ops) {
		t.Fatalf("GET / lists %d operators, want %d", len(got.Operators), len(w.ops))
	}
	for i, op := range w.ops {
		g := got.Operators[i]
		if g.Operator != op.Code || g.Name != op.Name || g.Base != ts.URL+"/"+op.Code {
			t.Errorf("operator %d = %+v, want %s %s %s", i, g, op.Code, op.Name, ts.URL+"/"+op.Code)
		}
	}
}

// TestPaging: every row exactly once and in order, whatever the limit.
func TestPaging(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{MaxLimit: 700})
	c := NewHonestClient("", 10*time.Second)
	defer c.Close()
	code := w.ops[0].Code
	for _, limit := range []int{0, 1, 7, 100, 999, 1000, 3000, 100000} {
		for _, ent := range []string{"claims", "organizations", "audits"} {
			if limit == 1 && ent != "organizations" {
				continue // one row a page: keep it short
			}
			got, err := c.Pull(t.Context(), ts.URL+"/"+code, ent, "", limit)
			if err != nil {
				t.Fatalf("Pull(%s, limit %d): %v", ent, limit, err)
			}
			equalRows(t, fmt.Sprintf("%s limit %d", ent, limit), got, w.wantRows(code, ent, 0))
		}
	}

	// A limit above MaxLimit is cut to it; the default is 1000.
	for _, tt := range []struct {
		query string
		want  int
	}{{"limit=100000", 700}, {"", 700}, {"limit=3", 3}} {
		var p Page
		if err := c.GetJSON(t.Context(), ts.URL+"/"+code+"/v1/claims?"+tt.query, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Data) != tt.want || p.NextCursor == nil || p.AsOf != "2024-03-31T09:00:00+08:00" {
			t.Errorf("?%s: %d rows, next_cursor %v, as_of %s; want %d rows, a cursor, 2024-03-31T09:00:00+08:00", tt.query, len(p.Data), p.NextCursor, p.AsOf, tt.want)
		}
	}
}

func TestDefaultLimit(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{})
	c := NewHonestClient("", 10*time.Second)
	defer c.Close()
	var p Page
	if err := c.GetJSON(t.Context(), ts.URL+"/"+w.ops[0].Code+"/v1/claims", &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Data) != httpapi.DefaultLimit {
		t.Errorf("no limit: %d rows, want %d", len(p.Data), httpapi.DefaultLimit)
	}
}

// TestUpdatedSince: inclusive, in any offset, fractions rounding up.
func TestUpdatedSince(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{})
	c := NewHonestClient("", 10*time.Second)
	defer c.Close()
	code := w.ops[0].Code
	fx := w.fixtures[code]["claims"]
	at := fx.table.At
	first := func(since record.Stamp) int { // the first row at or after since
		i, _ := slices.BinarySearch(at, since)
		return i
	}
	ny := time.FixedZone("New York", -5*3600)
	var stamps []record.Stamp
	for _, s := range at {
		if len(stamps) == 0 || stamps[len(stamps)-1] != s {
			stamps = append(stamps, s)
		}
	}
	type query struct {
		since string
		from  int
	}
	var queries []query
	for _, s := range append(stamps, at[len(at)-1]+1, at[0]-86400) {
		tm := s.Time()
		queries = append(queries,
			query{tm.Format(time.RFC3339), first(s)},
			query{tm.In(ny).Format(time.RFC3339), first(s)},
			query{s.String(), first(s)},
			query{tm.Add(-500 * time.Millisecond).Format(time.RFC3339Nano), first(s)},
			query{tm.Add(500 * time.Millisecond).Format(time.RFC3339Nano), first(s + 1)},
		)
	}
	for _, q := range queries {
		got, err := c.Pull(t.Context(), ts.URL+"/"+code, "claims", q.since, 400)
		if err != nil {
			t.Fatalf("Pull(since %s): %v", q.since, err)
		}
		equalRows(t, "since "+q.since, got, w.wantRows(code, "claims", q.from))
	}

	// A '+' left unescaped arrives as a space and is put back.
	raw := "updated_since=" + stamps[3].String() + "&limit=5000"
	var p Page
	if err := c.GetJSON(t.Context(), ts.URL+"/"+code+"/v1/claims?"+raw, &p); err != nil {
		t.Fatal(err)
	}
	equalRows(t, "unescaped "+raw, p.Data, w.wantRows(code, "claims", first(stamps[3])))
}

func TestBadRequests(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{})
	c := NewHonestClient("", 10*time.Second)
	defer c.Close()
	code := w.ops[0].Code
	var p Page
	if err := c.GetJSON(t.Context(), ts.URL+"/"+code+"/v1/claims?limit=10", &p); err != nil {
		t.Fatal(err)
	}
	cur := *p.NextCursor
	tampered := []byte(cur)
	tampered[0] ^= 1
	tests := []struct {
		path string
		want int
	}{
		{"/" + code + "/v1/claims?cursor=" + cur, 200},
		{"/" + code + "/v1/audits", 200}, // a contract entity without a table: empty
		{"/" + code + "/v1/claims?cursor=" + string(tampered), 400},
		{"/" + code + "/v1/claims?cursor=zzzz", 400},
		{"/" + code + "/v1/claims?cursor=%%%", 400},
		{"/" + code + "/v1/enrollments?cursor=" + cur, 400}, // another entity's cursor
		{"/" + w.ops[1].Code + "/v1/claims?cursor=" + cur, 400},
		{"/" + code + "/v1/claims?limit=0", 400},
		{"/" + code + "/v1/claims?limit=-3", 400},
		{"/" + code + "/v1/claims?limit=ten", 400},
		{"/" + code + "/v1/claims?updated_since=yesterday", 400},
		{"/" + code + "/v1/claims?updated_since=2024-03-01", 400},
		{"/" + code + "/v1/claimz", 404},
		{"/NOBODY/v1/claims", 404},
		{"/" + code + "/v2/claims", 404},
		{"/" + code + "/v1/claims/extra", 404},
		{"/" + code, 404},
	}
	for _, tt := range tests {
		status, body := get(t, ts.URL+tt.path, "")
		if status != tt.want {
			t.Errorf("GET %s = %d %.200s, want %d", tt.path, status, body, tt.want)
		}
		if !json.Valid(body) {
			t.Errorf("GET %s body %.200q is not JSON", tt.path, body)
		}
	}
	resp, err := http.Post(ts.URL+"/"+code+"/v1/claims", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405", resp.StatusCode)
	}
}

func TestAuth(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{Token: "s3cret"})
	for _, path := range []string{"/", "/" + w.ops[0].Code + "/v1/claims?limit=2", "/" + w.ops[0].Code + "/v1/manifest", "/NOBODY/v1/claims"} {
		for _, tt := range []struct {
			auth string
			want int
		}{
			{"", 401},
			{"Basic czNjcmV0", 401},
			{"Bearer", 401},
			{"Bearer wrong", 403},
			{"Bearer s3cret2", 403},
			{"Bearer s3cret", 200},
			{"bearer s3cret", 200},
		} {
			want := tt.want
			if want == 200 && strings.HasPrefix(path, "/NOBODY") {
				want = 404
			}
			if status, body := get(t, ts.URL+path, tt.auth); status != want {
				t.Errorf("GET %s with %q = %d %.200s, want %d", path, tt.auth, status, body, want)
			}
		}
	}
	// The honest client gives up at once on 401/403.
	c := NewHonestClient("wrong", 10*time.Second)
	defer c.Close()
	var p Page
	err := c.GetJSON(t.Context(), ts.URL+"/"+w.ops[0].Code+"/v1/claims", &p)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden {
		t.Errorf("GetJSON with a wrong token = %v, want a 403 StatusError", err)
	}
}

func TestManifest(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{})
	c := NewHonestClient("", 10*time.Second)
	defer c.Close()
	for _, op := range w.ops {
		var m struct {
			AsOf     string `json:"as_of"`
			Entities map[string]struct {
				Rows      json.Number `json:"rows"`
				SumAmount *string     `json:"sum_amount"`
			} `json:"entities"`
		}
		// Twice: the second answer comes from the cache.
		for range 2 {
			if err := c.GetJSON(t.Context(), ts.URL+"/"+op.Code+"/v1/manifest", &m); err != nil {
				t.Fatal(err)
			}
		}
		if m.AsOf != op.AsOf.String() {
			t.Errorf("%s as_of = %s, want %s", op.Code, m.AsOf, op.AsOf)
		}
		if len(m.Entities) != len(contract.Entities()) {
			t.Errorf("%s manifest has %d entities, want %d", op.Code, len(m.Entities), len(contract.Entities()))
		}
		for _, e := range contract.Entities() {
			got, ok := m.Entities[e.Name]
			if !ok {
				t.Errorf("%s manifest lacks %s", op.Code, e.Name)
				continue
			}
			fx, has := w.fixtures[op.Code][e.Name]
			wantRows := 0
			if has {
				wantRows = fx.table.Len()
			}
			if got.Rows.String() != strconv.Itoa(wantRows) {
				t.Errorf("%s %s rows = %s, want %d", op.Code, e.Name, got.Rows, wantRows)
			}
			summed := httpapi.SumField(e.Name) != ""
			switch {
			case !summed && got.SumAmount != nil:
				t.Errorf("%s %s has sum_amount %s, want none", op.Code, e.Name, *got.SumAmount)
			case summed && got.SumAmount == nil:
				t.Errorf("%s %s lacks sum_amount", op.Code, e.Name)
			case summed && *got.SumAmount != fx.sum.String():
				t.Errorf("%s %s sum_amount = %s, want %s", op.Code, e.Name, *got.SumAmount, fx.sum)
			}
		}
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec    string
		want    httpapi.Faults
		wantErr bool
	}{
		{"", httpapi.Faults{}, false},
		{"5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05", httpapi.Faults{ServerError: 0.2, TooManyRequests: 0.1, Timeout: 0.05, Reset: 0.05, Truncate: 0.05}, false},
		{" reset = 1 ", httpapi.Faults{Reset: 1}, false},
		{"5xx=0.5,429=0.5", httpapi.Faults{ServerError: 0.5, TooManyRequests: 0.5}, false},
		{"5xx=0.6,429=0.5", httpapi.Faults{}, true},
		{"5xx=-0.1", httpapi.Faults{}, true},
		{"5xx=NaN", httpapi.Faults{}, true},
		{"5xx=lots", httpapi.Faults{}, true},
		{"5xx", httpapi.Faults{}, true},
		{"404=0.1", httpapi.Faults{}, true},
		{"5xx=0.1,5xx=0.1", httpapi.Faults{}, true},
	}
	for _, tt := range tests {
		got, err := httpapi.ParseFaults(tt.spec)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseFaults(%q) = %+v, %v; want %+v, error %v", tt.spec, got, err, tt.want, tt.wantErr)
		}
		if err == nil {
			if back, err := httpapi.ParseFaults(got.String()); err != nil || back != got {
				t.Errorf("ParseFaults(%q.String() = %q) = %+v, %v; want %+v", tt.spec, got.String(), back, err, got)
			}
		}
	}
}

const faultSpec = "5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05"

// pullAll pulls every entity of every operator and checks each row came
// exactly once, in order.
func pullAll(t *testing.T, w *world, ts *httptest.Server, c *HonestClient, limit int) {
	t.Helper()
	for _, op := range w.ops {
		for _, e := range contract.Entities() {
			got, err := c.Pull(t.Context(), ts.URL+"/"+op.Code, e.Name, "", limit)
			if err != nil {
				t.Fatalf("Pull(%s/%s): %v", op.Code, e.Name, err)
			}
			equalRows(t, op.Code+"/"+e.Name, got, w.wantRows(op.Code, e.Name, 0))
		}
		var m map[string]any
		if err := c.GetJSON(t.Context(), ts.URL+"/"+op.Code+"/v1/manifest", &m); err != nil {
			t.Fatalf("manifest %s: %v", op.Code, err)
		}
	}
}

// TestFaultsHonestClient: under every fault an honest client still gets
// every row exactly once, and every fault was served.
func TestFaultsHonestClient(t *testing.T) {
	faults, err := httpapi.ParseFaults(faultSpec)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld()
	ts, s := serve(t, w, httpapi.Options{Token: "tok", Faults: faults, Seed: 42, TimeoutStall: 2 * time.Second})
	c := NewHonestClient("tok", 300*time.Millisecond)
	defer c.Close()
	pullAll(t, w, ts, c, 50)

	st := s.Stats()
	for _, f := range []httpapi.Fault{httpapi.Fault5xx, httpapi.Fault429, httpapi.FaultTimeout, httpapi.FaultReset, httpapi.FaultTruncate} {
		if st.Faults[f] == 0 {
			t.Errorf("no %s fault served in %d requests: %v", f, st.Requests, st.Faults)
		}
	}
	t.Logf("%d requests, faults %v", st.Requests, st.Faults)
}

// TestFaultsDeterministic: the same seed and the same sequential client
// meet the same faults; another seed meets others.
func TestFaultsDeterministic(t *testing.T) {
	faults, err := httpapi.ParseFaults(faultSpec)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld()
	run := func(seed uint64) []httpapi.Draw {
		var (
			mu    sync.Mutex
			draws []httpapi.Draw
		)
		// The stall is short and the client patient, so that a timeout
		// fault ends in the server's 504, not in a race with a client clock.
		ts, _ := serve(t, w, httpapi.Options{Faults: faults, Seed: seed, TimeoutStall: 10 * time.Millisecond,
			Trace: func(d httpapi.Draw) { mu.Lock(); draws = append(draws, d); mu.Unlock() }})
		c := NewHonestClient("", 30*time.Second)
		defer c.Close()
		for _, ent := range []string{"claims", "organizations"} {
			got, err := c.Pull(t.Context(), ts.URL+"/"+w.ops[0].Code, ent, "", 250)
			if err != nil {
				t.Fatalf("Pull(%s): %v", ent, err)
			}
			equalRows(t, ent, got, w.wantRows(w.ops[0].Code, ent, 0))
		}
		ts.Close()
		mu.Lock()
		defer mu.Unlock()
		return draws
	}
	a, b, other := run(7), run(7), run(8)
	kinds := map[httpapi.Fault]bool{}
	for _, d := range a {
		kinds[d.Fault] = true
	}
	if len(kinds) < 3 {
		t.Errorf("seed 7 drew only %v; want a mix of faults to compare", kinds)
	}
	if !slices.Equal(a, b) {
		t.Errorf("seed 7 twice gave different draws:\n%v\n%v", a, b)
	}
	if slices.Equal(a, other) {
		t.Errorf("seeds 7 and 8 gave the same draws: %v", a)
	}
}

// TestFaultKinds checks what each fault looks like on the wire, to a
// plain client on a fresh connection.
func TestFaultKinds(t *testing.T) {
	w := newWorld()
	path := "/" + w.ops[0].Code + "/v1/claims?limit=20"
	tests := []struct {
		fault httpapi.Faults
		kind  httpapi.Fault
		check func(resp *http.Response, body []byte, err error) string
	}{
		{httpapi.Faults{ServerError: 1}, httpapi.Fault5xx, func(resp *http.Response, body []byte, err error) string {
			if err != nil || (resp.StatusCode != 500 && resp.StatusCode != 502 && resp.StatusCode != 503) || !json.Valid(body) {
				return fmt.Sprintf("want 500, 502 or 503 with a JSON body; got %v %v %.100s", resp, err, body)
			}
			return ""
		}},
		{httpapi.Faults{TooManyRequests: 1}, httpapi.Fault429, func(resp *http.Response, body []byte, err error) string {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
				return fmt.Sprintf("want 429 with Retry-After: 1; got %v %v", resp, err)
			}
			return ""
		}},
		{httpapi.Faults{Timeout: 1}, httpapi.FaultTimeout, func(resp *http.Response, body []byte, err error) string {
			if err != nil || resp.StatusCode != 504 {
				return fmt.Sprintf("want 504 after the stall; got %v %v", resp, err)
			}
			return ""
		}},
		{httpapi.Faults{Reset: 1}, httpapi.FaultReset, func(resp *http.Response, body []byte, err error) string {
			if !errors.Is(err, syscall.ECONNRESET) {
				return fmt.Sprintf("want a connection reset; got %v %v", resp, err)
			}
			return ""
		}},
		{httpapi.Faults{Truncate: 1}, httpapi.FaultTruncate, func(resp *http.Response, body []byte, err error) string {
			if resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(body)) >= resp.ContentLength {
				return fmt.Sprintf("want 200 and a body cut short of its Content-Length; got %v, %d bytes, %v", resp, len(body), err)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		ts, s := serve(t, w, httpapi.Options{Faults: tt.fault, TimeoutStall: time.Millisecond})
		hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		for range 3 {
			var body []byte
			resp, err := hc.Get(ts.URL + path)
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if msg := tt.check(resp, body, err); msg != "" {
				t.Errorf("%s: %s", tt.kind, msg)
			}
		}
		// The listing is never faulted.
		if status, _ := get(t, ts.URL+"/", ""); status != 200 {
			t.Errorf("%s: GET / = %d, want 200", tt.kind, status)
		}
		if st := s.Stats(); st.Faults[tt.kind] != 3 || st.Requests != 4 {
			t.Errorf("%s: Stats = %+v, want 4 requests, 3 %s faults", tt.kind, st, tt.kind)
		}
	}
}

// TestTimeoutFaultClientGone: a timeout fault ends when the client goes
// away, long before the stall would.
func TestTimeoutFaultClientGone(t *testing.T) {
	w := newWorld()
	ts, _ := serve(t, w, httpapi.Options{Faults: httpapi.Faults{Timeout: 1}, TimeoutStall: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/"+w.ops[0].Code+"/v1/claims", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do = %v, %v; want the client's deadline", resp, err)
	}
	// Close waits for the stalled handler, which returns only if it
	// noticed the client leave; a bound, generous against an hour's
	// stall, makes a handler that did not a failure rather than a hang.
	closed := make(chan struct{})
	go func() {
		ts.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the timeout fault's handler still stalls 30 s after its client left")
	}
}
