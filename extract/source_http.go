package extract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"huzhu/contract"
	"huzhu/internal/config"
)

// HTTPOptions tune the HTTP source.
type HTTPOptions struct {
	Timeout     time.Duration // per request; default 30s
	PageLimit   int           // rows asked per page; default 5000
	UnitRows    int           // rows per committed unit; default 200000
	RetryBudget int           // retries a source may spend in one pull; default 1000
	RetryMax    int           // retries of one request; default 10
	WaitMin     time.Duration // first backoff; default 200ms
	WaitMax     time.Duration // longest backoff (and cap on Retry-After); default 30s
}

func (o HTTPOptions) withDefaults() HTTPOptions {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.PageLimit <= 0 {
		o.PageLimit = 5000
	}
	if o.UnitRows <= 0 {
		o.UnitRows = 200000
	}
	if o.RetryBudget <= 0 {
		o.RetryBudget = 1000
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 10
	}
	if o.WaitMin <= 0 {
		o.WaitMin = 200 * time.Millisecond
	}
	if o.WaitMax <= 0 {
		o.WaitMax = 30 * time.Second
	}
	return o
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

func (o Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

// ErrAuth marks a source that refused our credentials (401 or 403): fatal
// for that source only.
var ErrAuth = errors.New("the operator refused the credentials")

// Retries is the number of requests sent again so far (Retrier).
func (s *httpSource) Retries() int64 { return s.retries.Load() }

// ErrRetryBudget marks a source that used up its retries.
var ErrRetryBudget = errors.New("retry budget used up")

type httpSource struct {
	operator string
	base     string     // the URL's scheme, host and path, without a slash at its end
	query    url.Values // the URL's own query (a key some APIs take there), sent with every request
	token    string
	opt      HTTPOptions
	client   *retryablehttp.Client
	retries  atomic.Int64
	body     []byte // the last response body, reused
	js       jsonScanner
	spans    []int32 // field spans of a page's rows, row after row
	extras   []map[string]string
	twice    []string // of a page's rows, a field named twice (objectSpans), and
	objects  []string // the text of such a row's object (others: "")
	log      *slog.Logger
	progress func(string, string, int64)
}

func openHTTP(src config.Source, opt Options) (Source, error) {
	bu, err := url.Parse(src.URL)
	if err != nil {
		return nil, fmt.Errorf("extract: http source %s: url: %w", src.Operator, redactErr(err))
	}
	query := bu.Query()
	bu.RawQuery, bu.Fragment = "", ""
	s := &httpSource{operator: src.Operator, base: strings.TrimRight(bu.String(), "/"), query: query,
		opt: opt.HTTP.withDefaults(), log: opt.logger(), progress: opt.Progress}
	if src.TokenEnv != "" {
		s.token = opt.getenv(src.TokenEnv)
		if s.token == "" {
			return nil, fmt.Errorf("extract: http source %s: environment variable %s (token_env) is empty", src.Operator, src.TokenEnv)
		}
	}
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.HTTPClient.Timeout = s.opt.Timeout
	c.RetryWaitMin, c.RetryWaitMax = s.opt.WaitMin, s.opt.WaitMax
	c.RetryMax = s.opt.RetryMax
	c.Backoff = s.backoff
	c.CheckRetry = s.checkRetry
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	s.client = c
	return s, nil
}

func (s *httpSource) Name() string { return s.operator + "/http" }

// checkRetry retries what a flaky server does — connection errors, time-outs,
// 429 and 5xx — while the source's budget lasts; never 401/403 or other 4xx.
func (s *httpSource) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	retry := err != nil
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
		retry = true
	}
	if !retry {
		return false, nil
	}
	if s.retries.Add(1) > int64(s.opt.RetryBudget) {
		return false, ErrRetryBudget
	}
	return true, nil
}

// backoff is exponential with full jitter, honouring Retry-After (capped).
func (s *httpSource) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min2(d, max)
		}
	}
	d := float64(min) * math.Pow(2, float64(attempt))
	if d > float64(max) {
		d = float64(max)
	}
	// Full jitter: a deterministic hash of the attempt count keeps tests
	// reproducible while spreading clients apart.
	j := (uint64(attempt+1)*0x9e3779b97f4a7c15 ^ uint64(s.retries.Load())*0xbf58476d1ce4e5b9) >> 11
	return time.Duration(d * (0.5 + 0.5*float64(j)/float64(1<<53)))
}

// retryAfter reads a Retry-After header as of now: delay-seconds or an
// HTTP-date (RFC 9110, 10.2.3); a date already past means at once. It
// reports false for anything else.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, math.MaxInt64/int64(time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func min2(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// get fetches a URL and hands its body to parse. A body cut short, or one
// that parse refuses, is fetched again, against the same budget; parse must
// leave no trace when it fails.
func (s *httpSource) get(ctx context.Context, u string, parse func([]byte) error) error {
	for {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		if s.token != "" {
			req.Header.Set("Authorization", "Bearer "+s.token)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			return redactErr(err)
		}
		s.body = s.body[:0]
		s.body, err = readAllInto(s.body, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w (HTTP %d)", ErrAuth, resp.StatusCode)
		case resp.StatusCode != http.StatusOK:
			// Not the body: an operator's error text can quote the record
			// it refused, and this error reaches logs, manifests and alerts.
			return fmt.Errorf("HTTP %d (%s; a body of %d bytes, not shown)", resp.StatusCode, http.StatusText(resp.StatusCode), len(s.body))
		}
		if err == nil {
			if err = parse(s.body); err == nil {
				return nil
			}
		}
		if s.retries.Add(1) > int64(s.opt.RetryBudget) {
			return fmt.Errorf("%w: last body error: %v", ErrRetryBudget, err)
		}
		if err := sleepCtx(ctx, s.backoff(s.opt.WaitMin, s.opt.WaitMax, 0, nil)); err != nil {
			return err
		}
	}
}

// readAllInto reads r to its end into dst's storage.
func readAllInto(dst []byte, r io.Reader) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// endpoint is the URL of the API's /v1/<path> with the query q and the
// configured URL's own query.
func (s *httpSource) endpoint(path string, q url.Values) string {
	all := url.Values{}
	for k, v := range s.query {
		all[k] = v
	}
	for k, v := range q {
		all[k] = v
	}
	u := s.base + "/v1/" + path
	if len(all) > 0 {
		u += "?" + all.Encode()
	}
	return u
}

// redactErr hides, in the URL a *url.Error quotes, the password and every
// query value but the paging ones (a key or token some APIs take in the
// query), as errors reach logs and manifests.
func redactErr(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(a URL that does not parse)", Err: ue.Err}
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "limit", "updated_since":
		case "cursor":
			q[k] = []string{shownCursor(q.Get(k))}
		default:
			q[k] = []string{"***"}
		}
	}
	u.RawQuery = q.Encode()
	return &url.Error{Op: ue.Op, URL: u.Redacted(), Err: ue.Err}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type apiManifest struct {
	Entities map[string]struct {
		Rows int64 `json:"rows"`
	} `json:"entities"`
}

// Pull pages through every entity from its watermark, sent as
// updated_since in RFC 3339 with its offset. Rows at or before the
// watermark (updated_since is inclusive) are skipped; every UnitRows rows,
// at a page boundary, the rows so far are committed with the watermark of
// the last of them that has a readable updated_at (parseTS).
//
// A row whose updated_at does not parse is loaded wherever it comes, for
// the transform to refuse: nothing places it before the watermark. A row
// without updated_at is loaded only by the first pull (without
// updated_since), which leaves a watermark even when it met no other row
// (nullsLoaded); a later pull skips one that the server sends again, since
// nothing tells it from the one loaded before.
func (s *httpSource) Pull(ctx context.Context, l *Loader) error {
	var man apiManifest
	if err := s.get(ctx, s.endpoint("manifest", nil), func(b []byte) error { return json.Unmarshal(b, &man) }); err != nil {
		return fmt.Errorf("extract %s: manifest: %w", s.Name(), err)
	}
	for _, e := range contract.Entities() {
		reported := int64(-1)
		if m, ok := man.Entities[e.Name]; ok {
			reported = m.Rows
		}
		if err := s.pullEntity(ctx, l, e, reported); err != nil {
			return err
		}
	}
	return nil
}

func (s *httpSource) pullEntity(ctx context.Context, l *Loader, e *contract.Entity, reported int64) error {
	from, err := l.Watermark(ctx, e.Name)
	if err != nil {
		return err
	}
	sink := newRecordSink(e, e.Name, nil, nil)
	names := e.FieldNames()
	if err := sink.setHeader(names); err != nil {
		return err
	}
	fields := make([][]byte, len(names))
	keyIdx := make([]int, len(e.Key))
	for i, k := range e.Key {
		keyIdx[i] = e.Index(k)
	}
	updIdx := e.Index("updated_at")
	wmTime, ok := contract.ParseTS(from.UpdatedAt)
	if !ok && from.UpdatedAt != "" {
		return fmt.Errorf("extract %s/%s: watermark %q is not a timestamp", s.Name(), e.Name, from.UpdatedAt)
	}
	wmKey, wmSeen := splitKey(from.Key)
	atWM := 0 // rows met at exactly the watermark's position
	// The position of the last row loaded that has one, and how many rows
	// share it.
	lastTS, lastK, lastN := wmTime, strings.Join(wmKey, "|"), wmSeen
	noUpdatedAt := 0 // rows without updated_at skipped

	unit := l.NewUnit(e, "", "", "", from)
	last := from
	q := url.Values{"limit": {strconv.Itoa(s.opt.PageLimit)}}
	since := ""
	if from.UpdatedAt != "" {
		since = formatTS(wmTime)
		q.Set("updated_since", since)
	}
	// The API's cursor as positions and errors name it: an API that pages
	// by its members' keys (an id number, a phone) puts one in the cursor,
	// which becomes its pseudonym there as a PostgreSQL row's key does
	// (Loader.PositionKey).
	posCursor := ""
	page := 0
	commit := func() error {
		if unit.Received == 0 {
			return nil
		}
		tx, err := l.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := tx.Append(unit, sink.batch); err != nil {
			return err
		}
		// Rows the sink refused (invalid UTF-8) are part of the unit.
		for _, q := range sink.q {
			if err := tx.Quarantine(unit, q); err != nil {
				return err
			}
		}
		unit.To = last
		if err := tx.Finish(unit); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		sink.q = nil
		unit = l.NewUnit(e, "", "", "", last)
		return nil
	}
	for {
		page++
		u := s.endpoint(e.Name, q)
		nf := len(names)
		var next *string
		err := s.get(ctx, u, func(body []byte) error {
			// Scan the whole page before taking any row, so that a page that
			// fails to scan leaves nothing behind.
			s.spans, s.extras, s.twice, s.objects = s.spans[:0], s.extras[:0], s.twice[:0], s.objects[:0]
			s.js.b, s.js.i = body, 0
			var err error
			next, err = s.js.page(func() error {
				s.spans = append(s.spans, make([]int32, 2*nf)...)
				s.js.ws()
				start := s.js.i
				extra, twice, err := s.js.objectSpans(sink, s.spans[len(s.spans)-2*nf:])
				s.extras = append(s.extras, extra)
				s.twice = append(s.twice, twice)
				object := ""
				if twice != "" && err == nil {
					object = string(s.js.b[start:s.js.i])
				}
				s.objects = append(s.objects, object)
				return err
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("extract %s/%s page %d cursor %q: %w", s.Name(), e.Name, page, shownCursor(posCursor), err)
		}
		for i := range s.extras {
			s.js.fieldsOf(s.spans[2*nf*i:2*nf*(i+1)], fields)
			extra := s.extras[i]
			key := make([]string, len(keyIdx))
			for k, j := range keyIdx {
				key[k] = string(fields[j])
			}
			ts, ok := contract.ParseTS(string(fields[updIdx]))
			switch {
			case ok && from.UpdatedAt != "":
				if c := comparePos(ts, key, wmTime, wmKey); c < 0 || c == 0 && atWM < wmSeen {
					if c == 0 {
						atWM++
					}
					continue // loaded by the pull that set the watermark
				}
			case !ok && len(fields[updIdx]) == 0 && from.UpdatedAt != "":
				// Only the first pull loads a row without updated_at: a
				// server that sends it again cannot say it is new.
				noUpdatedAt++
				continue
			}
			// A row whose updated_at does not parse is loaded wherever it
			// comes (the transform refuses it), and leaves the watermark.
			// A row naming a field twice is refused as sent, and leaves it
			// too.
			unit.Received++
			where := fmt.Sprintf("%s?%s#%d", e.Name, pageRef(posCursor, since), i)
			if s.twice[i] != "" {
				sink.q = append(sink.q, Quarantined{Pos: where, Code: ReasonDuplicateField, Reason: duplicateFieldWhy(s.twice[i]),
					Fields: []string{s.objects[i]}, Header: []string{"object"}})
			} else {
				sink.extra = extra
				sink.received++
				sink.record(fields, where, false)
				sink.received--
			}
			if !ok {
				if last.UpdatedAt == "" {
					last = nullsLoaded
				}
				continue
			}
			k := strings.Join(key, "|")
			if ts.Equal(lastTS) && k == lastK {
				lastN++
			} else {
				lastTS, lastK, lastN = ts, k, 1
			}
			last = Watermark{UpdatedAt: formatTS(ts), Key: k + "\t" + strconv.Itoa(lastN)}
		}
		if next == nil {
			break
		}
		posCursor = l.PositionKey(*next)
		q = url.Values{"limit": {strconv.Itoa(s.opt.PageLimit)}, "cursor": {*next}}
		if unit.Received >= int64(s.opt.UnitRows) {
			if err := commit(); err != nil {
				return err
			}
		}
	}
	if err := commit(); err != nil {
		return err
	}
	if noUpdatedAt > 0 {
		s.log.Info("rows without updated_at skipped: the first pull loaded them", "source", s.Name(), "entity", e.Name, "rows", noUpdatedAt)
	}
	if reported >= 0 {
		return l.ReconcileCurrent(ctx, e, reported)
	}
	return nil
}

// shownCursor is a cursor as an error may show it: as sent, unless it
// still looks like a person's data (extract without the pseudonymisation
// key keeps it in positions, as it keeps a PostgreSQL row's key; an error
// reaches logs and terminals).
func shownCursor(c string) string {
	if personalKey(c) {
		return "(withheld: it looks like a person's data)"
	}
	return c
}

func pageRef(cursor, since string) string {
	if cursor != "" {
		return "cursor=" + cursor
	}
	if since != "" {
		return "updated_since=" + since
	}
	return "start"
}

// formatTS writes a time parsed by contract.ParseTS RFC 3339 with its offset
// (+08:00 when it had none), fractions only when present.
func formatTS(t time.Time) string { return t.Format(time.RFC3339Nano) }

// splitKey splits a watermark key "k1|k2<TAB>n" into its fields and n, the
// number of rows at exactly that position already loaded (an operator may
// send the same record twice; both copies count).
func splitKey(k string) ([]string, int) {
	if k == "" {
		return nil, 0
	}
	n := 1
	if i := strings.LastIndexByte(k, '\t'); i >= 0 {
		if v, err := strconv.Atoi(k[i+1:]); err == nil {
			n = v
		}
		k = k[:i]
	}
	return strings.Split(k, "|"), n
}

// comparePos orders (ts, key) against a watermark in the API's order:
// updated_at, then the key fields, numerically where both are integers.
func comparePos(ts time.Time, key []string, wts time.Time, wkey []string) int {
	if !ts.Equal(wts) {
		if ts.After(wts) {
			return 1
		}
		return -1
	}
	for i := range key {
		if i >= len(wkey) {
			return 1
		}
		if c := compareField(key[i], wkey[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareField(a, b string) int {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	if aerr == nil && berr == nil {
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}
