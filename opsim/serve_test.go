package opsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"
	"time"

	"huzhu/contract"
	"huzhu/opsim/fileformat"
	"huzhu/opsim/httpapi"
	"huzhu/opsim/record"
)

// pullAll pages through one entity as an honest client would: every
// failure (status, reset, timeout, short body) is retried with the same
// cursor, so a page is loaded once and only once.
func pullAll(t *testing.T, c *http.Client, base, entity, since string) []string {
	t.Helper()
	var rows []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("too many pages")
		}
		q := url.Values{"limit": {"53"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		} else if since != "" {
			q.Set("updated_since", since)
		}
		var page struct {
			Data       []json.RawMessage `json:"data"`
			NextCursor *string           `json:"next_cursor"`
		}
		ok := false
		for attempt := 0; attempt < 60 && !ok; attempt++ {
			resp, err := c.Get(base + "/v1/" + entity + "?" + q.Encode())
			if err != nil {
				continue
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				continue
			}
			if json.Unmarshal(body, &page) == nil {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("%s: page after cursor %q never arrived", entity, cursor)
		}
		for _, d := range page.Data {
			var buf bytes.Buffer
			if err := json.Compact(&buf, d); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, buf.String())
		}
		if page.NextCursor == nil {
			return rows
		}
		cursor = *page.NextCursor
	}
}

func tableJSON(t *testing.T, tab record.Table) []string {
	var r record.Row
	out := make([]string, tab.Len())
	for i := range out {
		tab.Read(i, &r)
		var buf bytes.Buffer
		if err := json.Compact(&buf, fileformat.AppendJSON(nil, tab.Entity(), &r)); err != nil {
			t.Fatal(err)
		}
		out[i] = buf.String()
	}
	return out
}

func sameMultiset(a, b []string) error {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	if len(a) != len(b) {
		return fmt.Errorf("%d rows, want %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("row %q, want %q", a[i], b[i])
		}
	}
	return nil
}

// TestServeUnderFaults: a world served with every fault mode still gives an
// honest retrying client each row of each entity exactly once.
func TestServeUnderFaults(t *testing.T) {
	w := smallWorld(t, 1500, 0.02)
	faults, err := httpapi.ParseFaults("5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := w.Server(httpapi.Options{Faults: faults, TimeoutStall: 2 * time.Second, Token: "t0ken"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &http.Client{Timeout: 300 * time.Millisecond, Transport: &bearer{"t0ken", http.DefaultTransport}}
	op := w.Operators[1]
	tabs, err := op.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for name, tab := range tabs {
		got := pullAll(t, c, hs.URL+"/"+op.Code, name, "")
		if err := sameMultiset(got, tableJSON(t, tab)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	st := srv.Stats()
	for _, k := range []httpapi.Fault{httpapi.Fault5xx, httpapi.Fault429, httpapi.FaultTimeout, httpapi.FaultReset, httpapi.FaultTruncate} {
		if st.Faults[k] == 0 {
			t.Errorf("fault %v never served (%d requests)", k, st.Requests)
		}
	}
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// TestServeTwoNights: what day 2 serves since the last updated_at seen on
// day 1, laid over day 1, is day 2.
func TestServeTwoNights(t *testing.T) {
	day1 := smallWorld(t, 2000, 0.01)
	p := day1.P
	p.AsOf += 3
	day2, err := NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := day1.Server(httpapi.Options{})
	s2, _ := day2.Server(httpapi.Options{})
	h1, h2 := httptest.NewServer(s1), httptest.NewServer(s2)
	defer h1.Close()
	defer h2.Close()
	op := day1.Operators[0]
	for _, name := range []string{"members", "enrollments", "claims", "ledger_entries", "investments"} {
		first := pullAll(t, http.DefaultClient, h1.URL+"/"+op.Code, name, "")
		last := ""
		for _, r := range first {
			var m map[string]any
			json.Unmarshal([]byte(r), &m)
			if u := m["updated_at"].(string); u > last {
				last = u
			}
		}
		changes := pullAll(t, http.DefaultClient, h2.URL+"/"+op.Code, name, last)
		full := pullAll(t, http.DefaultClient, h2.URL+"/"+op.Code, name, "")
		if len(changes) == 0 || len(changes) >= len(full) {
			t.Errorf("%s: %d changed rows of %d", name, len(changes), len(full))
		}
		// Lay the changes over day 1 by natural key.
		merged := map[string]string{}
		keyOf := func(r string) string {
			var m map[string]any
			d := json.NewDecoder(bytes.NewReader([]byte(r)))
			d.UseNumber()
			d.Decode(&m)
			var k string
			for _, f := range keysOf(name) {
				k += fmt.Sprint(m[f]) + "|"
			}
			return k
		}
		dups := 0
		for _, r := range first {
			if _, ok := merged[keyOf(r)]; ok {
				dups++
			}
			merged[keyOf(r)] = r
		}
		for _, r := range changes {
			merged[keyOf(r)] = r
		}
		var out []string
		for _, r := range merged {
			out = append(out, r)
		}
		fullDedup := map[string]string{}
		for _, r := range full {
			fullDedup[keyOf(r)] = r
		}
		var want []string
		for _, r := range fullDedup {
			want = append(want, r)
		}
		if err := sameMultiset(out, want); err != nil {
			t.Errorf("%s: day 1 + changes != day 2: %v", name, err)
		}
	}
}

func keysOf(entity string) []string { return contract.Lookup(entity).Key }
