// Package browser drives Debian's headless Chromium through chromedp for
// the reports' and the site's tests: it opens a page and records what a
// reader would notice going wrong — console errors, uncaught exceptions,
// failed loads — and every URL the page requested, so that a test can say
// "no error, nothing fetched from outside the output folder".
//
// The browser is /usr/bin/chromium (HUZHU_CHROMIUM overrides), installed by
// .ci/run. Chromium runs headless, without a sandbox (tests run as root in
// CI) and with background networking off, since the machine has no
// internet.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"huzhu/internal/webassets"
)

// ExecPath returns the Chromium binary the tests use.
func ExecPath() (string, error) {
	p := os.Getenv("HUZHU_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		return "", fmt.Errorf("chromium not found at %s (apt-get install chromium; .ci/run does): %w", p, err)
	}
	return p, nil
}

// Browser is one headless Chromium process.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Start launches Chromium for the test and closes it at the test's end.
// A missing Chromium fails the test (it is part of the test machine).
func Start(t testing.TB) *Browser {
	t.Helper()
	path, err := ExecPath()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		// Pages under file:// may load their neighbours (the ECharts
		// runtime) as a static host would serve them.
		chromedp.Flag("allow-file-access-from-files", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	b := &Browser{ctx: ctx, cancel: func() { cancel(); acancel() }}
	t.Cleanup(b.cancel)
	return b
}

// Page is one tab after loading a URL.
type Page struct {
	Ctx    context.Context // the tab, for further chromedp actions
	cancel context.CancelFunc

	mu       sync.Mutex
	errors   []string
	requests []string
}

// Open loads url in a new tab, waits for the load event and for quiet (no
// request in flight for a short while, so that charts have drawn), and
// returns the tab. The tab closes at the test's end.
func (b *Browser) Open(t testing.TB, url string) *Page {
	t.Helper()
	p := &Page{}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(p.record))
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	p.Ctx, p.cancel = ctx, func() { tcancel(); cancel() }
	t.Cleanup(p.cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	// Let scripts run and charts draw (ECharts animates; tests read the
	// final state).
	chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond))
	return p
}

// record keeps the events a test asks about; it runs in the tab's loop.
func (p *Page) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			p.errors = append(p.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.errors = append(p.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p.errors = append(p.errors, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		p.requests = append(p.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		p.errors = append(p.errors, "load failed: "+ev.ErrorText)
	}
}

// Errors returns the console errors, exceptions and failed loads so far.
func (p *Page) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.errors)
}

// Requests returns every URL the page requested so far, the page's own
// URL first.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Outside returns the requested URLs that do not start with one of the
// allowed prefixes (the output folder's file:// URL or the preview
// server's origin). data: URLs, which never leave the page, are allowed.
func (p *Page) Outside(allowed ...string) []string {
	var out []string
	for _, u := range p.Requests() {
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(u, a) }) {
			out = append(out, u)
		}
	}
	return out
}

// Screenshot captures the whole page as PNG.
func (p *Page) Screenshot(t testing.TB) []byte {
	t.Helper()
	// Quality 100 asks for PNG; below it Chromium sends JPEG.
	png, err := chromedp.Run(p.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t testing.TB, p *Page, expr string) T {
	t.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %q: %v", expr, err)
	}
	return v
}

// ChartsDrawn reports, for every element with a _echarts_instance_
// attribute (an ECharts chart), whether it holds a canvas or an SVG of
// non-zero size; the map is keyed by the chart element's id.
func (p *Page) ChartsDrawn(t testing.TB) map[string]bool {
	t.Helper()
	return Eval[map[string]bool](t, p, `(() => {
		const out = {};
		document.querySelectorAll('[_echarts_instance_]').forEach((el, i) => {
			const g = el.querySelector('canvas, svg');
			const r = g ? g.getBoundingClientRect() : null;
			out[el.id || ('chart' + i)] = !!(r && r.width > 0 && r.height > 0);
		});
		return out;
	})()`)
}

// Violation is one axe-core rule broken on a page.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  int    `json:"nodes"`
	Target string `json:"target"` // the first offending element's selector
}

// Axe injects axe-core (the pinned npm package, see internal/webassets)
// into the page, runs it, and returns the violations of the given impacts
// ("critical", "serious", …; none given = all).
func (p *Page) Axe(t testing.TB, impacts ...string) []Violation {
	t.Helper()
	src, err := webassets.Read(webassets.AxeFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(p.Ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		t.Fatalf("inject axe-core: %v", err)
	}
	all := Eval[[]Violation](t, p, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
		target: v.nodes.length ? String(v.nodes[0].target) : ''})))`)
	if len(impacts) == 0 {
		return all
	}
	var out []Violation
	for _, v := range all {
		if slices.Contains(impacts, v.Impact) {
			out = append(out, v)
		}
	}
	return out
}
