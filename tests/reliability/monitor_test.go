package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aisync/backend/httpapi"
	"aisync/backend/service"
)

func init() {
	report.table("monitoring", "Monitoring: every failure is counted, logged and shown (seed §4.3–4.4)",
		"failure", "metric", "EVENT_LOG (GET /api/v1/logs?level=error)", "UI banner (GET /api/v1/sync/status, /api/v1/clients)")
}

// TestMonitoringFailuresAreVisible injects a write failure, a parse failure and a suspicious
// file through the running API and checks that each one moves the right Prometheus counter,
// appears in the error log and reaches what the UI's warning banner reads.
func TestMonitoringFailuresAreVisible(t *testing.T) {
	t.Parallel()
	a := newAPIRig(t, faultClients, false, httpapi.Options{})
	trigger := func(body string) map[string]any {
		t.Helper()
		code, b := a.do(http.MethodPost, "/api/v1/sync/trigger", []byte(body))
		if code != 200 {
			t.Fatalf("trigger: HTTP %d: %s", code, b)
		}
		var out struct {
			Result map[string]any `json:"result"`
		}
		must(t, json.Unmarshal(b, &out))
		return out.Result
	}
	metrics := func() map[string]float64 {
		t.Helper()
		code, b := a.do(http.MethodGet, "/metrics", nil)
		if code != 200 {
			t.Fatalf("/metrics: HTTP %d", code)
		}
		return parseMetrics(b)
	}
	errorLogHas := func(s string) bool {
		t.Helper()
		code, b := a.do(http.MethodGet, "/api/v1/logs?level=error&limit=200", nil)
		if code != 200 {
			t.Fatalf("/api/v1/logs: HTTP %d: %s", code, b)
		}
		var page struct {
			Items []struct{ Message string } `json:"items"`
		}
		must(t, json.Unmarshal(b, &page))
		for _, it := range page.Items {
			if strings.Contains(it.Message, s) {
				return true
			}
		}
		return false
	}
	banner := func() (service.StatusReport, map[string]string) {
		t.Helper()
		code, b := a.do(http.MethodGet, "/api/v1/sync/status", nil)
		if code != 200 {
			t.Fatalf("/api/v1/sync/status: HTTP %d", code)
		}
		var st service.StatusReport
		must(t, json.Unmarshal(b, &st))
		code, b = a.do(http.MethodGet, "/api/v1/clients", nil)
		if code != 200 {
			t.Fatalf("/api/v1/clients: HTTP %d", code)
		}
		var list struct {
			Items []service.ClientInfo `json:"items"`
		}
		must(t, json.Unmarshal(b, &list))
		failing := map[string]string{}
		for _, c := range list.Items {
			if c.Detected && c.Enabled && (c.Status.State == "error" || c.Status.LastError != "") {
				failing[c.ID] = c.Status.LastError
			}
		}
		return st, failing
	}

	if res := trigger(`{}`); res["status"] != "succeeded" {
		t.Fatalf("first pass: %v", res["status"])
	}
	m0 := metrics()

	// 1. A write failure: retried, then a partial run.
	target := filepath.Join(a.home, ".gemini", "settings.json")
	var undo func()
	switch {
	case isRoot():
		undo = immutable(t, target)
	default:
		must(t, os.Chmod(filepath.Dir(target), 0o555))
		undo = func() { os.Chmod(filepath.Dir(target), 0o755) }
		t.Cleanup(undo)
	}
	addCodexServer(t, a.home, "monitored")
	res := trigger(`{}`)
	m1 := metrics()
	retries := metricSum(m1, "aisync_client_retries_total", `client="gemini"`) - metricSum(m0, "aisync_client_retries_total", `client="gemini"`)
	partial := metricSum(m1, "aisync_sync_runs_total", `status="partial"`) - metricSum(m0, "aisync_sync_runs_total", `status="partial"`)
	errLogs := metricSum(m1, "aisync_log_entries_total", `level="error"`) - metricSum(m0, "aisync_log_entries_total", `level="error"`)
	if res["status"] != "partial" || partial != 1 {
		t.Errorf("write failure: run status %v, partial runs +%v (want partial, +1)", res["status"], partial)
	}
	if retries != float64(a.set.RetryMax) {
		t.Errorf("write failure: aisync_client_retries_total{client=gemini} +%v, want +%d", retries, a.set.RetryMax)
	}
	if errLogs < 1 {
		t.Errorf("write failure: aisync_log_entries_total{level=error} +%v", errLogs)
	}
	logged := errorLogHas("gave up after")
	st, failing := banner()
	if !logged || failing["gemini"] == "" || !strings.Contains(statusOfClient(st, "gemini").LastError, "gave up") {
		t.Errorf("write failure not visible: error log %v, banner %v, status %+v", logged, failing, statusOfClient(st, "gemini"))
	}
	report.row("monitoring", "write failure (gemini's file immutable)", fmt.Sprintf("client_retries_total{gemini} +%v, sync_runs_total{partial} +%v, log_entries_total{error} +%v", retries, partial, errLogs),
		yesNo(logged), "gemini: "+quoteErr(failing["gemini"]))
	undo()

	// 2. A parse failure in the only client synced: a failed run.
	m1 = metrics()
	cursor := filepath.Join(a.home, ".cursor", "mcp.json")
	must(t, os.WriteFile(cursor, []byte(`{"mcpServers": {"x": `), 0o644))
	res = trigger(`{"clients": ["cursor"]}`)
	m2 := metrics()
	failed := metricSum(m2, "aisync_sync_runs_total", `status="failed"`) - metricSum(m1, "aisync_sync_runs_total", `status="failed"`)
	errLogs = metricSum(m2, "aisync_log_entries_total", `level="error"`) - metricSum(m1, "aisync_log_entries_total", `level="error"`)
	if res["status"] != "failed" || failed != 1 || errLogs < 1 {
		t.Errorf("parse failure: run %v, failed runs +%v, error log entries +%v", res["status"], failed, errLogs)
	}
	logged = errorLogHas("invalid json")
	st, failing = banner()
	if !logged || !strings.Contains(failing["cursor"], "invalid json") {
		t.Errorf("parse failure not visible: error log %v, banner %v", logged, failing)
	}
	report.row("monitoring", "parse failure (cursor's file truncated)", fmt.Sprintf("sync_runs_total{failed} +%v, log_entries_total{error} +%v", failed, errLogs),
		yesNo(logged), "cursor: "+quoteErr(failing["cursor"]))

	// 3. A file that suddenly lost everything: held, a pending conflict in the banner.
	windsurf := filepath.Join(a.home, ".codeium", "windsurf", "mcp_config.json")
	must(t, os.WriteFile(windsurf, []byte(`{"mcpServers": {}}`), 0o644))
	res = trigger(`{"clients": ["windsurf", "codex"]}`)
	st, _ = banner()
	if st.PendingConflicts < 1 {
		t.Errorf("suspicious file: pendingConflicts = %d", st.PendingConflicts)
	}
	m3 := metrics()
	report.row("monitoring", "file emptied (windsurf)", fmt.Sprintf("conflicts held: run reports %v conflict(s); aisync_conflicts_total %v", res["conflicts"], metricSum(m3, "aisync_conflicts_total")),
		"warn entry (not an error)", fmt.Sprintf("pendingConflicts = %d", st.PendingConflicts))
}

func statusOfClient(st service.StatusReport, id string) (out struct{ State, LastError string }) {
	for _, c := range st.Clients {
		if c.ClientID == id {
			out.State, out.LastError = c.State, c.LastError
		}
	}
	return out
}
