package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aisync/backend/engine"
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

	// 2. A parse failure: nothing taken from that file, a partial run.
	m1 = metrics()
	cursor := filepath.Join(a.home, ".cursor", "mcp.json")
	cursorGood := readFile(t, cursor)
	must(t, os.WriteFile(cursor, []byte(`{"mcpServers": {"x": `), 0o644))
	res = trigger(`{}`)
	m2 := metrics()
	partial = metricSum(m2, "aisync_sync_runs_total", `status="partial"`) - metricSum(m1, "aisync_sync_runs_total", `status="partial"`)
	errLogs = metricSum(m2, "aisync_log_entries_total", `level="error"`) - metricSum(m1, "aisync_log_entries_total", `level="error"`)
	if res["status"] != "partial" || partial != 1 || errLogs < 1 {
		t.Errorf("parse failure: run %v, partial runs +%v, error log entries +%v", res["status"], partial, errLogs)
	}
	logged = errorLogHas("invalid json")
	st, failing = banner()
	if !logged || !strings.Contains(failing["cursor"], "invalid json") {
		t.Errorf("parse failure not visible: error log %v, banner %v", logged, failing)
	}
	report.row("monitoring", "parse failure (cursor's file truncated)", fmt.Sprintf("sync_runs_total{partial} +%v, log_entries_total{error} +%v", partial, errLogs),
		yesNo(logged), "cursor: "+quoteErr(failing["cursor"]))

	// 2b. The only client fails: a failed run.
	single := newAPIRig(t, []string{"cursor"}, false, httpapi.Options{})
	code, b := single.do(http.MethodPost, "/api/v1/sync/trigger", []byte(`{}`))
	if code != 200 {
		t.Fatalf("trigger: HTTP %d: %s", code, b)
	}
	_, b = single.do(http.MethodGet, "/metrics", nil)
	f0 := metricSum(parseMetrics(b), "aisync_sync_runs_total", `status="failed"`)
	must(t, os.WriteFile(filepath.Join(single.home, ".cursor", "mcp.json"), []byte("\x00garbage"), 0o644))
	code, b = single.do(http.MethodPost, "/api/v1/sync/trigger", []byte(`{}`))
	var out struct {
		Result struct{ Status string } `json:"result"`
	}
	_ = json.Unmarshal(b, &out)
	_, mb := single.do(http.MethodGet, "/metrics", nil)
	failed := metricSum(parseMetrics(mb), "aisync_sync_runs_total", `status="failed"`) - f0
	if code != 200 || out.Result.Status != "failed" || failed != 1 {
		t.Errorf("only client broken: HTTP %d, run %q, failed runs +%v", code, out.Result.Status, failed)
	}
	report.row("monitoring", "the only client's file is garbage", fmt.Sprintf("sync_runs_total{failed} +%v", failed), "yes", "cursor: lastError set")

	// 3. A file that suddenly lost everything: held, a pending conflict in the banner.
	must(t, os.WriteFile(cursor, cursorGood, 0o644)) // cursor readable again
	trigger(`{}`)
	m3 := metrics()
	windsurf := filepath.Join(a.home, ".codeium", "windsurf", "mcp_config.json")
	must(t, os.WriteFile(windsurf, []byte(`{"mcpServers": {}}`), 0o644))
	res = trigger(`{}`)
	st, _ = banner()
	m4 := metrics()
	held := metricSum(m4, "aisync_conflicts_total") - metricSum(m3, "aisync_conflicts_total")
	if st.PendingConflicts < 1 {
		t.Errorf("suspicious file: pendingConflicts = %d", st.PendingConflicts)
	}
	if held < 1 {
		t.Errorf("BUG: a file held for the user's decision did not move aisync_conflicts_total (+%v): holdSuspicious counts nothing", held)
	}
	report.row("monitoring", "file emptied (windsurf): held for the user", fmt.Sprintf("aisync_conflicts_total +%v%s", held, map[bool]string{true: "", false: " (BUG)"}[held >= 1]),
		"warn entry (not an error)", fmt.Sprintf("pendingConflicts = %d", st.PendingConflicts))

	// 4. A real conflict: two clients change the same server differently (merge policy).
	pending := st.PendingConflicts
	editServer(t, filepath.Join(a.home, ".cursor", "mcp.json"), `"mcp-server-fetch"`, `"mcp-server-fetch", "--from-cursor"`)
	editServer(t, filepath.Join(a.home, ".gemini", "settings.json"), `"mcp-server-fetch"`, `"mcp-server-fetch", "--from-gemini"`)
	res = trigger(`{}`)
	st, _ = banner()
	m5 := metrics()
	conflicts := metricSum(m5, "aisync_conflicts_total") - metricSum(m4, "aisync_conflicts_total")
	if st.PendingConflicts != pending+1 {
		t.Errorf("conflict: pendingConflicts %d → %d (run reports %v)", pending, st.PendingConflicts, res["conflicts"])
	}
	if conflicts != 1 {
		t.Errorf("BUG: a conflict queued for the user moved aisync_conflicts_total by +%v, want +1 (metrics.go registers it but nothing increments it)", conflicts)
	}
	report.row("monitoring", "conflict (fetch's args changed in cursor and gemini)", fmt.Sprintf("aisync_conflicts_total +%v%s", conflicts, map[bool]string{true: "", false: " (BUG: want +1)"}[conflicts == 1]),
		"warn entry conflict.created", fmt.Sprintf("pendingConflicts %d → %d", pending, st.PendingConflicts))
}

// editServer replaces old with new in a client file (the first occurrence).
func editServer(t *testing.T, path, old, new string) {
	t.Helper()
	b := string(readFile(t, path))
	if !strings.Contains(b, old) {
		t.Fatalf("%s has no %s:\n%s", path, old, b)
	}
	must(t, os.WriteFile(path, []byte(strings.Replace(b, old, new, 1)), 0o644))
}

func statusOfClient(st service.StatusReport, id string) (out struct{ State, LastError string }) {
	for _, c := range st.Clients {
		if c.ClientID == id {
			out.State, out.LastError = c.State, c.LastError
		}
	}
	return out
}

// TestMonitoringPartialPassRaisesNoFalseAlarm syncs one client only (as `sync --once
// --clients cursor` or POST /api/v1/sync/trigger {"clients":["cursor"]} do). Clients left
// out of the read must not be reported as held: a warning the user cannot act on (there is
// nothing to confirm or restore) trains them to ignore the real ones.
func TestMonitoringPartialPassRaisesNoFalseAlarm(t *testing.T) {
	t.Parallel()
	r := newRig(t, faultClients)
	r.sync()
	res, err := r.eng.SyncAll(context.Background(), engine.TriggerManual, []string{"cursor"})
	must(t, err)
	for id, cr := range res.Clients {
		for _, w := range cr.Warnings {
			if strings.Contains(w, "held until you confirm or restore it") {
				t.Errorf("BUG: a pass reading only cursor reports %s as %q with the warning %q, although nothing of %s changed or is held "+
					"(engine.go marks every unread endpoint without a stored state as held; an endpoint whose file does not exist and cannot be created never gets one)",
					id, cr.State, w, id)
			}
		}
	}
	for id, s := range r.eng.Status() {
		if s.State == "held" {
			t.Errorf("status of %s is held after a partial pass", id)
		}
	}
}
