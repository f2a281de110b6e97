package dashboards

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/testenv"
)

const (
	xssTech    = `</script><script>window.pwned=1</script>`
	xssAdvisor = `__f__alert(1)__f__`
	xssStore   = `<img src=x onerror="window.pwned=2">`
)

// hostile plants names that would run as code if any page wrote them unescaped.
func hostile(d *sql.DB) {
	for _, q := range []string{
		fmt.Sprintf(`UPDATE raw_technicians SET tech_name = '%s' WHERE tech_id = (SELECT min(tech_id) FROM raw_technicians)`, xssTech),
		fmt.Sprintf(`UPDATE raw_work_orders SET advisor_id = '%s' WHERE advisor_id = (SELECT min(advisor_id) FROM raw_work_orders)`, xssAdvisor),
		fmt.Sprintf(`UPDATE raw_stores SET store_name = store_name || '%s'`, strings.ReplaceAll(xssStore, "'", "''")),
		`UPDATE raw_work_orders SET customer_name = '欧阳娜娜', phone = '13912345678'`,
	} {
		if _, err := d.Exec(q); err != nil {
			panic(err)
		}
	}
}

func buildPages(t *testing.T, o Options) (string, *sql.DB) {
	t.Helper()
	d := testenv.Shared(t, "hostile", 2, 2, hostile)
	if o.Out == "" {
		o.Out = t.TempDir()
	}
	o.Now = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := Build(t.Context(), d, o); err != nil {
		t.Fatal(err)
	}
	return o.Out, d
}

// TestPagesSource: every page is escaped, masked and offline in its own source.
func TestPagesSource(t *testing.T) {
	out, _ := buildPages(t, Options{IncludePay: false})
	files, _ := filepath.Glob(filepath.Join(out, "*.html"))
	if len(files) < 6 {
		t.Fatalf("only %d pages", len(files))
	}
	phone := regexp.MustCompile(`(^|[^0-9.])1[3-9]\d{9}([^0-9.]|$)`)
	url := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	kinds := map[string]bool{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		s := string(b)
		kinds[strings.SplitN(filepath.Base(f), "-", 2)[0]] = true
		for _, bad := range []string{xssTech, xssStore, "<script>window.pwned"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains the raw text %q", filepath.Base(f), bad)
			}
		}
		// go-echarts' own renderer strips __f__ markers page-wide; ours does not, and the chart
		// options never carry the marker itself
		if i := strings.LastIndex(s, "var specs = "); i < 0 || strings.Contains(s[i:], "__f__") {
			t.Errorf("%s: the chart options carry a __f__ marker (or have no specs)", filepath.Base(f))
		}
		if m := phone.FindString(s); m != "" {
			t.Errorf("%s shows an unmasked phone %s", filepath.Base(f), m)
		}
		if strings.Contains(s, "欧阳娜娜") {
			t.Errorf("%s shows an unmasked customer name", filepath.Base(f))
		}
		if m := url.FindString(s); m != "" {
			t.Errorf("%s refers to a network address %q", filepath.Base(f), m)
		}
		if strings.Contains(filepath.Base(f), "techs-") && (strings.Contains(s, "工资（保密）") || strings.Contains(s, "应发")) {
			t.Errorf("%s shows pay without --include-pay", filepath.Base(f))
		}
	}
	for _, k := range []string{"index.html", "store", "techs", "parts", "benchmark"} {
		if !kinds[k] {
			t.Errorf("no %s page", k)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "assets", "ECHARTS-LICENSE")); err != nil {
		t.Error("the ECharts licence is not shipped with the pages")
	}
}

func TestIncludePay(t *testing.T) {
	out, _ := buildPages(t, Options{IncludePay: true, Lang: "en"})
	files, _ := filepath.Glob(filepath.Join(out, "techs-*.html"))
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "Pay (confidential)") {
		t.Error("--include-pay did not add pay")
	}
}

// TestBrowser opens every page type from disk in headless Chromium with the network off:
// no console errors, no failed or network requests, every chart drew a canvas, the page
// is not blank, and the hostile names are shown as text without running.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is required in CI: .ci/run installs the chromium package")
		}
		t.Skip("chromium not installed")
	}
	out, _ := buildPages(t, Options{IncludePay: true})
	single := t.TempDir()
	if _, err := Build(t.Context(), testenv.Sample(t, 1, 1, hostile), Options{Out: single, SingleFile: true, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	// S001 holds the hostile technician (the smallest tech_id) and advisor
	for _, pat := range []string{"index.html", "store-S001-*.html", "techs-S001-*.html", "parts-S001-*.html", "benchmark-*.html"} {
		m, _ := filepath.Glob(filepath.Join(out, pat))
		if len(m) == 0 {
			t.Fatalf("no page %s", pat)
		}
		pages[pat] = m[len(m)-1]
	}
	sm, _ := filepath.Glob(filepath.Join(single, "store-*.html"))
	pages["single-file store"] = sm[0]

	bctx, cancel := browser(t, chromium)
	defer cancel()
	for name, path := range pages {
		t.Run(name, func(t *testing.T) { checkPage(t, bctx, path, true) })
	}
}

// browser starts headless Chromium as the machine notes say: no sandbox (root), no background
// networking, a fresh profile. Chromium now and then crashes while starting on these machines
// (about one start in a few hundred, before any page is loaded): a start is tried three times.
// The pages' checks are not retried.
func browser(t *testing.T, chromium string) (context.Context, context.CancelFunc) {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profileDir(t)),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(1400, 1000))
		actx, cancel1 := chromedp.NewExecAllocator(t.Context(), opts...)
		bctx, cancel2 := chromedp.NewContext(actx)
		if err = chromedp.Run(bctx); err == nil {
			return bctx, func() { cancel2(); cancel1() }
		}
		cancel2()
		cancel1()
		t.Logf("starting chromium (attempt %d of 3): %v", attempt, err)
	}
	t.Fatalf("starting chromium: %v", err)
	return nil, nil
}

// profileDir is a browser profile folder, removed after the test. Not t.TempDir: Chromium's
// helper processes (the crash handler) may still write to it for a moment after the browser
// has exited, and t.TempDir's cleanup then fails the test ("directory not empty").
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "aftersales-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; os.RemoveAll(dir) != nil && i < 50; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

func checkPage(t *testing.T, parent context.Context, path string, names bool) {
	ctx, cancel := chromedp.NewContext(parent)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning {
				problems = append(problems, fmt.Sprintf("console %s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Error())
		case *network.EventLoadingFailed:
			problems = append(problems, "failed request: "+e.ErrorText)
		case *network.EventRequestWillBeSent:
			if !strings.HasPrefix(e.Request.URL, "file://") && !strings.HasPrefix(e.Request.URL, "data:") {
				problems = append(problems, "network request: "+e.Request.URL)
			}
		}
	})
	var pwned, ready, charts, drawn int
	var text string
	var shot []byte
	err := chromedp.Run(ctx,
		network.Enable(),
		network.EmulateNetworkConditions(true, 0, 0, 0),
		chromedp.Navigate("file://"+path),
		chromedp.WaitReady("body"),
		chromedp.Poll(`window.__chartsReady !== undefined`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`window.pwned === undefined ? 0 : 1`, &pwned),
		chromedp.Evaluate(`window.__chartsReady`, &ready),
		chromedp.Evaluate(`document.querySelectorAll('div.chart:not(.empty)').length`, &charts),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('div.chart:not(.empty)')).filter(function(d){
			var c = d.querySelector('canvas'); if (!c || c.width === 0 || c.height === 0) return false;
			var x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			for (var i = 3; i < x.length; i += 4) { if (x[i] !== 0) return true; } return false; }).length`, &drawn),
		chromedp.Evaluate(`document.body.innerText`, &text),
		chromedp.FullScreenshot(&shot, 80),
	)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	if pwned != 0 {
		t.Errorf("%s: a hostile name ran as code", filepath.Base(path))
	}
	if charts != ready || drawn != charts {
		t.Errorf("%s: %d chart containers, %d initialised, %d drew something", filepath.Base(path), charts, ready, drawn)
	}
	if names && strings.Contains(filepath.Base(path), "techs-") && !strings.Contains(text, xssTech) {
		t.Errorf("%s: the hostile technician name is not shown as text", filepath.Base(path))
	}
	if names && strings.Contains(filepath.Base(path), "store-") && !strings.Contains(text, xssAdvisor) && !strings.Contains(path, "single") {
		t.Errorf("%s: the hostile advisor id is not shown as text", filepath.Base(path))
	}
	mu.Lock()
	for _, p := range problems {
		t.Errorf("%s: %s", filepath.Base(path), p)
	}
	mu.Unlock()
	if blank(shot) {
		t.Errorf("%s: the screenshot is blank", filepath.Base(path))
	}
}

// blank reports whether a screenshot (JPEG or PNG) has almost no variation.
func blank(img []byte) bool {
	if len(img) < 5000 {
		return true
	}
	if bytes.HasPrefix(img, []byte("\x89PNG")) {
		p, err := png.Decode(bytes.NewReader(img))
		if err != nil {
			return true
		}
		b := p.Bounds()
		first := p.At(b.Min.X, b.Min.Y)
		for y := b.Min.Y; y < b.Max.Y; y += 7 {
			for x := b.Min.X; x < b.Max.X; x += 7 {
				if p.At(x, y) != first {
					return false
				}
			}
		}
		return true
	}
	return false // a JPEG of a blank page is a few KB; a page with charts is far larger
}

func findChromium() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
