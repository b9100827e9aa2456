package httpapi

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/store"
)

// appendLogs inserts n entries, cycling through the levels, with timestamps one millisecond
// apart after start.
func appendLogs(t testing.TB, st store.Store, n int, start time.Time, msg string) {
	t.Helper()
	const batch = 5000
	levels := []string{"debug", "info", "warn", "error"}
	entries := make([]store.LogEntry, 0, batch)
	for i := 0; i < n; i++ {
		entries = append(entries, store.LogEntry{Level: levels[i%4], ClientID: []string{"cursor", "codex"}[i%2], Event: "sync.finished",
			Message: fmt.Sprintf("%s %d", msg, i), Timestamp: start.Add(time.Duration(i) * time.Millisecond)})
		if len(entries) == batch || i == n-1 {
			if err := st.AppendLogs(context.Background(), entries...); err != nil {
				t.Fatal(err)
			}
			entries = entries[:0]
		}
	}
}

func TestLogs(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	start := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	appendLogs(t, a.svc.Store(), 250, start, "entry")

	t.Run("pages with inserts in between", func(t *testing.T) {
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for ; pages < 20; pages++ {
			q := url.Values{"limit": {"100"}, "until": {start.Add(time.Hour).Format(time.RFC3339)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			r := a.do(http.MethodGet, "/api/v1/logs?"+q.Encode(), nil)
			a.mustStatus(r, http.StatusOK)
			var p store.Page[store.LogEntry]
			r.json(t, &p)
			for _, e := range p.Items {
				if seen[e.ID] {
					t.Fatalf("entry %s on two pages", e.ID)
				}
				seen[e.ID] = true
			}
			// New entries, newer than everything listed, arrive while the user pages.
			appendLogs(t, a.svc.Store(), 10, start.Add(time.Minute+time.Duration(pages)*time.Second), "late")
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(seen) != 250 || pages != 2 {
			t.Fatalf("saw %d entries on %d pages, want 250 on 3", len(seen), pages+1)
		}
	})
	t.Run("filters", func(t *testing.T) {
		count := func(q string) int {
			t.Helper()
			r := a.do(http.MethodGet, "/api/v1/logs?limit=1000&until="+url.QueryEscape(start.Add(time.Minute).Format(time.RFC3339))+"&"+q, nil)
			a.mustStatus(r, http.StatusOK)
			var p store.Page[store.LogEntry]
			r.json(t, &p)
			return len(p.Items)
		}
		for q, want := range map[string]int{
			"level=error":                  62,
			"level=error&level=warn":       124,
			"level=error,warn":             124,
			"level=ERROR":                  62,
			"client=codex":                 125,
			"client=codex&level=info":      63,
			"client=codex&level=warn":      0,
			"event=sync.finished":          250,
			"q=entry":                      250,
			"q=nomatch":                    0,
			"since=2025-02-01T00:00:00.1Z": 150,
		} {
			if got := count(q); got != want {
				t.Errorf("%s: %d entries, want %d", q, got, want)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		a.do(http.MethodGet, "/api/v1/logs?level=loud", nil).wantField(t, "query.level")
		a.do(http.MethodGet, "/api/v1/logs?limit=5000", nil).wantField(t, "query.limit")
		a.do(http.MethodGet, "/api/v1/logs?cursor=bm9wZQ", nil).wantField(t, "query")
		a.do(http.MethodGet, "/api/v1/logs?until=tomorrow", nil).wantField(t, "query.until")
		a.do(http.MethodGet, "/api/v1/logs?page=2", nil).wantField(t, "query.page")
	})
}

func TestExportsAndDownload(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	appendLogs(t, a.svc.Store(), 40, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "exported")

	for _, tc := range []struct {
		format, ctype string
		lines         int
	}{
		{"csv", "text/csv", 11}, {"jsonl", "application/x-ndjson", 10}, {"json", "application/json", 12},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r := a.do(http.MethodPost, "/api/v1/logs/export", map[string]any{"format": tc.format, "levels": []string{"error"}})
			a.mustStatus(r, http.StatusCreated)
			var rec store.Export
			r.json(t, &rec)
			if rec.Status != store.ExportSucceeded || rec.RowCount != 10 || rec.Kind != "logs" {
				t.Fatalf("export %s", r.body)
			}
			d := a.do(http.MethodGet, "/api/v1/exports/"+rec.ID+"/download", nil)
			a.mustStatus(d, http.StatusOK)
			if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Fatalf("Content-Type %q", ct)
			}
			if cd := d.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, "."+tc.format) {
				t.Fatalf("Content-Disposition %q", cd)
			}
			if n := strings.Count(string(d.body), "\n"); n != tc.lines {
				t.Fatalf("%d lines, want %d:\n%s", n, tc.lines, d.body)
			}
		})
	}
	r := a.do(http.MethodPost, "/api/v1/logs/export", nil) // every entry, as CSV
	a.mustStatus(r, http.StatusCreated)

	var list struct{ Items []store.Export }
	a.do(http.MethodGet, "/api/v1/exports?limit=2", nil).json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("exports %+v", list)
	}
	a.do(http.MethodPost, "/api/v1/logs/export", map[string]any{"format": "xml"}).wantField(t, "body.format")
	a.do(http.MethodPost, "/api/v1/logs/export", map[string]any{"levels": []string{"loud"}}).wantField(t, "body.levels")
	a.do(http.MethodPost, "/api/v1/logs/export", map[string]any{"since": "last week"}).wantField(t, "body.since")
	a.mustStatus(a.do(http.MethodGet, "/api/v1/exports/nope/download", nil), http.StatusNotFound)
	a.do(http.MethodGet, "/api/v1/exports?limit=-1", nil).wantField(t, "query.limit")
}

// heapPeak samples the live heap until stop is called and reports the highest value.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

func baselineHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestExportLargeConstantMemory exports 100,000 rows (about 30 MB of JSON Lines) through the
// API and downloads them: the heap must not grow by anything near the size of the file.
func TestExportLargeConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large export in -short mode")
	}
	if raceEnabled {
		t.Skip("100,000 rows take minutes under the race detector; scripts/test.sh runs this without it")
	}
	a := newTestAPI(t, Options{})
	const rows = 100_000
	msg := strings.Repeat("x", 200)
	appendLogs(t, a.svc.Store(), rows, time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), msg)

	const bound = 24 << 20
	base := baselineHeap()
	stop := heapPeak()
	r := a.do(http.MethodPost, "/api/v1/logs/export", map[string]any{"format": "jsonl"})
	peak := stop()
	a.mustStatus(r, http.StatusCreated)
	var rec store.Export
	r.json(t, &rec)
	if rec.RowCount != rows || rec.Bytes < 25<<20 {
		t.Fatalf("export %s", r.body)
	}
	growth := int64(peak) - int64(base)
	t.Logf("export: %d bytes written, heap peak growth %d KiB", rec.Bytes, growth>>10)
	if growth > bound {
		t.Fatalf("heap grew by %d MiB while exporting %d MiB", growth>>20, rec.Bytes>>20)
	}

	// Download it as a stream, counting lines without keeping them.
	base = baselineHeap()
	stop = heapPeak()
	req, _ := http.NewRequest(http.MethodGet, a.ts.URL+"/api/v1/exports/"+rec.ID+"/download", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := a.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != rec.Bytes {
		t.Fatalf("download: status %d, length %d, want %d", resp.StatusCode, resp.ContentLength, rec.Bytes)
	}
	lines, n := 0, int64(0)
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		n += int64(len(line))
		if len(line) > 0 && line[len(line)-1] == '\n' {
			lines++
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			t.Fatal(err)
		}
	}
	peak = stop()
	if lines != rows || n != rec.Bytes {
		t.Fatalf("downloaded %d lines, %d bytes; want %d lines, %d bytes", lines, n, rows, rec.Bytes)
	}
	growth = int64(peak) - int64(base)
	t.Logf("download: heap peak growth %d KiB", growth>>10)
	if growth > bound {
		t.Fatalf("heap grew by %d MiB while downloading %d MiB", growth>>20, rec.Bytes>>20)
	}
}

func TestBackupRestore(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{MaxRestoreBytes: 1 << 20})
	recordSnapshots(t, a.svc.Store(), 2, time.Now().Add(-time.Hour))

	r := a.do(http.MethodPost, "/api/v1/backup", nil)
	a.mustStatus(r, http.StatusCreated)
	var rec store.Export
	r.json(t, &rec)
	if rec.Kind != "backup" || rec.Status != store.ExportSucceeded {
		t.Fatalf("backup %s", r.body)
	}
	d := a.do(http.MethodGet, "/api/v1/exports/"+rec.ID+"/download", nil)
	a.mustStatus(d, http.StatusOK)
	if d.header.Get("Content-Type") != "application/gzip" || !strings.Contains(d.header.Get("Content-Disposition"), ".tar.gz") {
		t.Fatalf("backup download headers %v", d.header)
	}
	archive := d.body

	restore := func(body io.Reader, ct string, length int64) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, a.ts.URL+"/api/v1/restore", body)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", ct)
		req.ContentLength = length
		resp, err := a.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: data}
	}
	r = restore(bytes.NewReader(archive), "application/gzip", int64(len(archive)))
	a.mustStatus(r, http.StatusOK)
	var res RestoreResult
	r.json(t, &res)
	if !res.Restored {
		t.Fatalf("restore %s", r.body)
	}
	a.mustStatus(restore(bytes.NewReader(archive), "application/octet-stream", -1), http.StatusOK)

	r = restore(strings.NewReader("not a backup"), "application/gzip", -1)
	a.mustStatus(r, http.StatusBadRequest)
	r.problem(t)
	r = restore(bytes.NewReader(archive), "application/json", int64(len(archive)))
	a.mustStatus(r, http.StatusUnsupportedMediaType)
	r.problem(t)
	big := bytes.Repeat([]byte{0x1f}, 2<<20)
	r = restore(bytes.NewReader(big), "application/gzip", int64(len(big))) // declared too large
	a.mustStatus(r, http.StatusRequestEntityTooLarge)
	r.problem(t)
	// Sent chunked, with no length to refuse up front: found too large while reading.
	r = restore(bytes.NewReader(largeArchive(t, 2<<20)), "application/gzip", -1)
	a.mustStatus(r, http.StatusRequestEntityTooLarge)
	r.problem(t)
}

// largeArchive is a well-formed archive whose database entry is size random bytes, so its
// compressed form is larger than size.
func largeArchive(t *testing.T, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	manifest := []byte(`{"app":"aisync","version":"dev","files":["aisync.db"]}`)
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"manifest.json": manifest, "aisync.db": data} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLimitedReader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		size, limit int
		over        bool
	}{{10, 10, false}, {11, 10, true}, {0, 10, false}, {100000, 10, true}} {
		lr := &limitedReader{r: bytes.NewReader(make([]byte, tc.size)), remaining: int64(tc.limit)}
		n, err := io.Copy(io.Discard, lr)
		if lr.over != tc.over || (tc.over && err == nil) || (!tc.over && (err != nil || n != int64(tc.size))) {
			t.Errorf("size %d limit %d: n=%d err=%v over=%v", tc.size, tc.limit, n, err, lr.over)
		}
	}
}
