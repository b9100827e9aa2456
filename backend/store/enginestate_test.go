package store

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestTombstones(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	for _, ts := range []Tombstone{
		{Scope: "user", ItemKey: "servers/github", DeletedBy: "cursor"},
		{Scope: "user", ItemKey: "rules/old", DeletedBy: "user"},
		{Scope: "project:/p", ItemKey: "servers/x", DeletedBy: "codex"},
	} {
		mustNoErr(t, s.PutTombstone(ctx, ts))
	}

	t.Run("put replaces", func(t *testing.T) {
		at := t0.Add(time.Hour)
		mustNoErr(t, s.PutTombstone(ctx, Tombstone{Scope: "user", ItemKey: "servers/github", DeletedBy: "zed", DeletedAt: at}))
		list, err := s.ListTombstones(ctx, "user")
		mustNoErr(t, err)
		if len(list) != 2 || list[0].ItemKey != "rules/old" || list[1].DeletedBy != "zed" || !list[1].DeletedAt.Equal(at) {
			t.Errorf("ListTombstones(user) = %+v", list)
		}
	})

	t.Run("list all", func(t *testing.T) {
		list, err := s.ListTombstones(ctx, "")
		mustNoErr(t, err)
		if len(list) != 3 {
			t.Errorf("ListTombstones() = %d, want 3", len(list))
		}
	})

	t.Run("delete", func(t *testing.T) {
		mustNoErr(t, s.DeleteTombstone(ctx, "user", "rules/old"))
		if err := s.DeleteTombstone(ctx, "user", "rules/old"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("empty key is refused", func(t *testing.T) {
		if err := s.PutTombstone(ctx, Tombstone{Scope: "user"}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("err = %v, want ErrInvalidArgument", err)
		}
	})
}

func TestEndpointStates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	st := EndpointState{EndpointID: "cursor:user:mcp", ClientID: "cursor", Scope: "user", Path: "/h/.cursor/mcp.json",
		Base: json.RawMessage(`{"servers":{}}`), Hash: "r1", WrittenHash: "w1"}
	mustNoErr(t, s.PutEndpointState(ctx, st))

	t.Run("get", func(t *testing.T) {
		got, err := s.GetEndpointState(ctx, st.EndpointID)
		mustNoErr(t, err)
		if got.Hash != "r1" || got.WrittenHash != "w1" || string(got.Base) != `{"servers":{}}` || got.UpdatedAt.IsZero() {
			t.Errorf("GetEndpointState = %+v", got)
		}
	})

	t.Run("put replaces", func(t *testing.T) {
		st.Hash, st.Base = "r2", nil
		mustNoErr(t, s.PutEndpointState(ctx, st))
		got, err := s.GetEndpointState(ctx, st.EndpointID)
		mustNoErr(t, err)
		if got.Hash != "r2" || got.Base != nil {
			t.Errorf("after replace = %+v", got)
		}
	})

	t.Run("list by scope", func(t *testing.T) {
		mustNoErr(t, s.PutEndpointState(ctx, EndpointState{EndpointID: "codex:project:/p:mcp", Scope: "project:/p"}))
		for scope, want := range map[string]int{"user": 1, "project:/p": 1, "": 2, "project:/q": 0} {
			list, err := s.ListEndpointStates(ctx, scope)
			mustNoErr(t, err)
			if len(list) != want {
				t.Errorf("ListEndpointStates(%q) = %d, want %d", scope, len(list), want)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		mustNoErr(t, s.DeleteEndpointState(ctx, st.EndpointID))
		if _, err := s.GetEndpointState(ctx, st.EndpointID); !errors.Is(err, ErrNotFound) {
			t.Errorf("after delete: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("bad base is refused by the schema", func(t *testing.T) {
		if err := s.PutEndpointState(ctx, EndpointState{EndpointID: "x", Base: json.RawMessage(`{`)}); err == nil {
			t.Error("stored a base that is not JSON")
		}
	})
}

// baseBlobs returns the stored bases by key.
func baseBlobs(t *testing.T, s *SQLite) map[string]string {
	t.Helper()
	rows, err := s.write.Query(`SELECT hash, body FROM base_blob`)
	mustNoErr(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		mustNoErr(t, rows.Scan(&k, &v))
		out[k] = v
	}
	mustNoErr(t, rows.Err())
	return out
}

// Endpoints that read back as the same config share one stored base, and a base no
// endpoint refers to any more is deleted.
func TestEndpointBasesAreShared(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	big := `{"servers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}`
	other := `{"rules":{"style":{"body":"tabs"}}}`
	put := func(id, base string) {
		t.Helper()
		st := EndpointState{EndpointID: id, Scope: "project:/p", Hash: "h-" + id}
		if base != "" {
			st.Base = json.RawMessage(base)
		}
		mustNoErr(t, s.PutEndpointState(ctx, st))
	}
	check := func(step string, want map[string]string, blobs ...string) {
		t.Helper()
		got := baseBlobs(t, s)
		if len(got) != len(blobs) {
			t.Errorf("%s: %d stored bases %v, want %d", step, len(got), got, len(blobs))
		}
		for _, b := range blobs {
			found := false
			for _, v := range got {
				found = found || v == b
			}
			if !found {
				t.Errorf("%s: base %s not stored once: %v", step, b, got)
			}
		}
		list, err := s.ListEndpointStates(ctx, "project:/p")
		mustNoErr(t, err)
		seen := map[string]string{}
		for _, st := range list {
			seen[st.EndpointID] = string(st.Base)
		}
		if len(seen) != len(want) {
			t.Errorf("%s: endpoints %v, want %v", step, seen, want)
		}
		for id, b := range want {
			if seen[id] != b {
				t.Errorf("%s: %s has base %q, want %q", step, id, seen[id], b)
			}
			got, err := s.GetEndpointState(ctx, id)
			mustNoErr(t, err)
			if string(got.Base) != b || got.Hash != "h-"+id {
				t.Errorf("%s: GetEndpointState(%s) = %+v, want base %q", step, id, got, b)
			}
		}
	}

	put("a", big)
	put("b", big)
	put("c", big)
	check("three endpoints with one base", map[string]string{"a": big, "b": big, "c": big}, big)
	put("b", big) // the same again
	check("the same base again", map[string]string{"a": big, "b": big, "c": big}, big)
	put("c", other)
	check("one endpoint moves on", map[string]string{"a": big, "b": big, "c": other}, big, other)
	put("c", "")
	check("one endpoint without a base", map[string]string{"a": big, "b": big, "c": ""}, big)
	mustNoErr(t, s.PutEndpointState(ctx, EndpointState{EndpointID: "c", Scope: "project:/p", Hash: "h-c", Base: json.RawMessage{}}))
	check("an empty base is no base", map[string]string{"a": big, "b": big, "c": ""}, big)
	mustNoErr(t, s.DeleteEndpointState(ctx, "a"))
	check("one of two sharing endpoints deleted", map[string]string{"b": big, "c": ""}, big)
	mustNoErr(t, s.DeleteEndpointState(ctx, "b"))
	check("the last one deleted", map[string]string{"c": ""})
	if err := s.DeleteEndpointState(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted endpoint state: %v, want ErrNotFound", err)
	}
	// A refused base leaves the endpoint as it was.
	put("d", other)
	if err := s.PutEndpointState(ctx, EndpointState{EndpointID: "d", Base: json.RawMessage(`{"x":`)}); err == nil {
		t.Error("stored a base that is not JSON")
	}
	check("after a refused base", map[string]string{"c": "", "d": other}, other)
	mustNoErr(t, s.IntegrityCheck(ctx))
}

// A one-shot store's bases stored ahead of the states (PutBases) are the ones the states then refer to; those
// no state comes to refer to (a pass that failed before recording its states) go with the
// next PutBases, and the ones states refer to stay.
func TestPutBasesAhead(t *testing.T) {
	ctx := context.Background()
	long := openTest(t)
	mustNoErr(t, long.PutBases(ctx, func() [][]byte { t.Error("a long-running store asked for the bases"); return nil }))
	if got := baseBlobs(t, long); len(got) != 0 {
		t.Errorf("a long-running store stored bases ahead: %v", got)
	}
	s, err := OpenOneShot(ctx, filepath.Join(t.TempDir(), "aisync.db"))
	mustNoErr(t, err)
	t.Cleanup(func() { s.Close() })
	big := `{"servers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}`
	rules := `{"rules":{"style":{"body":"tabs"}}}`
	orphan := `{"servers":{"never":{"command":"x"}}}`
	mustNoErr(t, s.PutBases(ctx, func() [][]byte { return [][]byte{[]byte(big), []byte(rules), []byte(orphan), nil} }))
	if got := baseBlobs(t, s); len(got) != 3 {
		t.Fatalf("PutBases stored %v", got)
	}
	mustNoErr(t, s.PutEndpointStates(ctx, []StateWrite{
		{State: EndpointState{EndpointID: "a", Scope: "p", Base: json.RawMessage(big)}},
		{State: EndpointState{EndpointID: "b", Scope: "p", Base: json.RawMessage(big)}},
		{State: EndpointState{EndpointID: "c", Scope: "p", Base: json.RawMessage(rules)}},
	}))
	for id, want := range map[string]string{"a": big, "b": big, "c": rules} {
		got, err := s.GetEndpointState(ctx, id)
		mustNoErr(t, err)
		if string(got.Base) != want {
			t.Errorf("%s has base %s, want %s", id, got.Base, want)
		}
	}
	// The next pass's PutBases sweeps the orphan and keeps what the states refer to.
	mustNoErr(t, s.PutBases(ctx, func() [][]byte { return nil }))
	got := baseBlobs(t, s)
	if len(got) != 2 {
		t.Errorf("after the next PutBases: %v, want the two bases in use", got)
	}
	for _, b := range got {
		if b == orphan {
			t.Errorf("the orphan base is still stored: %v", got)
		}
	}
	if err := s.PutBases(ctx, func() [][]byte { return [][]byte{[]byte(`{"x":`)} }); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("PutBases of a base that is not JSON: %v", err)
	}
	mustNoErr(t, s.IntegrityCheck(ctx))
}

// A pass stores its endpoints' states in one batch: each with its endpoint row when it has
// one, the shared base once, and nothing at all when one entry is refused.
func TestPutEndpointStatesBatch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	_, err := s.UpsertClient(ctx, Client{ID: "cursor", Enabled: true})
	mustNoErr(t, err)
	base := `{"servers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}`
	st := func(id, b string) EndpointState {
		return EndpointState{EndpointID: id, ClientID: "cursor", Scope: "user", Path: "/h/" + id, Base: json.RawMessage(b), Hash: "h-" + id, WrittenHash: "h-" + id}
	}
	mustNoErr(t, s.PutEndpointStates(ctx, []StateWrite{
		{State: st("a", base), Endpoint: &Endpoint{ClientID: "cursor", Path: "/h/a", ConfigType: "servers", Hash: "h-a"}},
		{State: st("b", base)},
	}))
	list, err := s.ListEndpointStates(ctx, "user")
	mustNoErr(t, err)
	if len(list) != 2 || string(list[0].Base) != base || string(list[1].Base) != base || list[0].UpdatedAt.IsZero() {
		t.Errorf("states = %+v, want a and b with the shared base and a time", list)
	}
	if blobs := baseBlobs(t, s); len(blobs) != 1 {
		t.Errorf("%d stored bases, want the one they share", len(blobs))
	}
	eps, err := s.ListEndpoints(ctx, "cursor")
	mustNoErr(t, err)
	if len(eps) != 1 || eps[0].Path != "/h/a" || eps[0].Hash != "h-a" || eps[0].LastSeen.IsZero() {
		t.Errorf("endpoint rows = %+v, want only a's, with its hash and a time", eps)
	}

	// One refused base: the other entries of the batch are not stored either.
	err = s.PutEndpointStates(ctx, []StateWrite{
		{State: st("c", base), Endpoint: &Endpoint{ClientID: "cursor", Path: "/h/c", ConfigType: "servers", Hash: "h-c"}},
		{State: st("a", `{"x":`)},
	})
	if err == nil {
		t.Fatal("stored a batch with a base that is not JSON")
	}
	if _, err := s.GetEndpointState(ctx, "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("c was stored although its batch failed: %v", err)
	}
	if got, _ := s.GetEndpointState(ctx, "a"); string(got.Base) != base {
		t.Errorf("a's base after the refused batch = %s, want the one it had", got.Base)
	}
	if eps, _ := s.ListEndpoints(ctx, "cursor"); len(eps) != 1 {
		t.Errorf("endpoint rows after the refused batch = %+v, want a's alone", eps)
	}
	if err := s.PutEndpointStates(ctx, []StateWrite{{State: EndpointState{}}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a state without an endpoint id: %v, want ErrInvalidArgument", err)
	}
	mustNoErr(t, s.PutEndpointStates(ctx, nil))
}

// Within one batch, an endpoint that moves off a base another endpoint then takes up keeps
// that base stored, the same endpoint can appear twice (the last state wins), and no blob
// is left that no endpoint refers to.
func TestPutEndpointStatesBatchMovesBases(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	b1, b2 := `{"servers":{"a":{"command":"x"}}}`, `{"servers":{"b":{"command":"y"}}}`
	st := func(id, b string) StateWrite {
		return StateWrite{State: EndpointState{EndpointID: id, Scope: "user", Base: json.RawMessage(b), Hash: "h"}}
	}
	mustNoErr(t, s.PutEndpointStates(ctx, []StateWrite{st("one", b1), st("two", b2)}))
	// one moves to b2 (b1 loses its last reference and is dropped), then two takes up b1,
	// then one is written again with b1, and two with nothing.
	mustNoErr(t, s.PutEndpointStates(ctx, []StateWrite{st("one", b2), st("two", b1), st("one", b1), st("two", "")}))
	got := map[string]string{}
	for _, id := range []string{"one", "two"} {
		e, err := s.GetEndpointState(ctx, id)
		mustNoErr(t, err)
		got[id] = string(e.Base)
	}
	if got["one"] != b1 || got["two"] != "" {
		t.Errorf("bases = %v, want one: %s and two: none", got, b1)
	}
	blobs := baseBlobs(t, s)
	if len(blobs) != 1 {
		t.Errorf("stored bases = %v, want only the one endpoint one refers to", blobs)
	}
	for _, body := range blobs {
		if body != b1 {
			t.Errorf("stored base %s, want %s", body, b1)
		}
	}
}

// Bases stored before they were shared (schema version 5) survive the migration, and an
// endpoint's next write moves it to a shared base and drops its old copy.
func TestInlineBasesAreMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	old, err := open(ctx, path, 5, false, false)
	mustNoErr(t, err)
	base := `{"servers":{"github":{"url":"https://api.example.com/mcp"}}}`
	for _, id := range []string{"a", "b"} {
		_, err = old.write.Exec(`INSERT INTO endpoint_state (endpoint_id, client_id, scope, path, base, hash, written_hash, updated_at)
			VALUES (?, 'cursor', 'user', '/h/.cursor/mcp.json', ?, 'r1', 'w1', ?)`, id, base, formatTime(t0))
		mustNoErr(t, err)
	}
	_, err = old.write.Exec(`INSERT INTO endpoint_state (endpoint_id, scope, updated_at) VALUES ('none', 'user', ?)`, formatTime(t0))
	mustNoErr(t, err)
	mustNoErr(t, old.Close())

	s, err := Open(ctx, path)
	mustNoErr(t, err)
	defer s.Close()
	list, err := s.ListEndpointStates(ctx, "user")
	mustNoErr(t, err)
	if len(list) != 3 {
		t.Fatalf("%d endpoint states after the migration, want 3: %+v", len(list), list)
	}
	for _, st := range list {
		want := base
		if st.EndpointID == "none" {
			want = ""
		}
		if string(st.Base) != want || (want != "" && (st.Hash != "r1" || st.WrittenHash != "w1" || st.Path != "/h/.cursor/mcp.json" || !st.UpdatedAt.Equal(t0))) {
			t.Errorf("migrated %s = %+v, want base %q and the old columns", st.EndpointID, st, want)
		}
	}
	if n := len(baseBlobs(t, s)); n != 2 {
		t.Errorf("%d stored bases after the migration, want the two old copies", n)
	}
	for _, id := range []string{"a", "b"} {
		mustNoErr(t, s.PutEndpointState(ctx, EndpointState{EndpointID: id, Scope: "user", Base: json.RawMessage(base)}))
	}
	if blobs := baseBlobs(t, s); len(blobs) != 1 {
		t.Errorf("stored bases after both endpoints were written again: %v, want one shared copy", blobs)
	}
	mustNoErr(t, s.IntegrityCheck(ctx))
}

func TestExports(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	e, err := s.CreateExport(ctx, Export{Kind: "logs", Format: "jsonl", Path: "/tmp/logs.jsonl",
		Filter: json.RawMessage(`{"levels":["error"]}`)})
	mustNoErr(t, err)
	if e.Status != ExportRunning || e.ID == "" {
		t.Fatalf("created = %+v", e)
	}

	t.Run("finish", func(t *testing.T) {
		done, err := s.FinishExport(ctx, e.ID, ExportResult{Status: ExportSucceeded, RowCount: 42, Bytes: 4096})
		mustNoErr(t, err)
		if done.Status != ExportSucceeded || done.RowCount != 42 || done.Bytes != 4096 || done.FinishedAt.IsZero() {
			t.Errorf("finished = %+v", done)
		}
		got, err := s.GetExport(ctx, e.ID)
		mustNoErr(t, err)
		if got.RowCount != 42 || string(got.Filter) != `{"levels":["error"]}` {
			t.Errorf("GetExport = %+v", got)
		}
	})

	t.Run("finish twice", func(t *testing.T) {
		_, err := s.FinishExport(ctx, e.ID, ExportResult{Status: ExportFailed})
		if !errors.Is(err, ErrAlreadyFinished) {
			t.Errorf("err = %v, want ErrAlreadyFinished", err)
		}
	})

	t.Run("list newest first", func(t *testing.T) {
		second, err := s.CreateExport(ctx, Export{Kind: "snapshots", Format: "json"})
		mustNoErr(t, err)
		list, err := s.ListExports(ctx, 0)
		mustNoErr(t, err)
		if len(list) != 2 || list[0].ID != second.ID {
			t.Errorf("ListExports = %+v", list)
		}
		one, err := s.ListExports(ctx, 1)
		mustNoErr(t, err)
		if len(one) != 1 {
			t.Errorf("ListExports(1) = %d rows", len(one))
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		if _, err := s.CreateExport(ctx, Export{Kind: "logs"}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("no format: err = %v", err)
		}
		if _, err := s.FinishExport(ctx, e.ID, ExportResult{Status: ExportRunning}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("running result: err = %v", err)
		}
	})
}

func TestSettingsAndProjects(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	t.Run("settings round trip any JSON value", func(t *testing.T) {
		type policy struct {
			Default string            `json:"default"`
			Scopes  map[string]string `json:"scopes"`
		}
		want := policy{Default: "priority", Scopes: map[string]string{"user": "manual"}}
		mustNoErr(t, s.PutSetting(ctx, "conflict.policy", want))
		var got policy
		mustNoErr(t, s.GetSetting(ctx, "conflict.policy", &got))
		if got.Default != want.Default || got.Scopes["user"] != "manual" {
			t.Errorf("GetSetting = %+v", got)
		}
		mustNoErr(t, s.PutSetting(ctx, "conflict.policy", "newest"))
		var str string
		mustNoErr(t, s.GetSetting(ctx, "conflict.policy", &str))
		if str != "newest" {
			t.Errorf("after overwrite = %q", str)
		}
		if err := s.GetSetting(ctx, "conflict.policy", &got); err == nil {
			t.Error("decoding a string into a struct succeeded")
		}
		if err := s.PutSetting(ctx, "", 1); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("empty key: err = %v", err)
		}
		if err := s.PutSetting(ctx, "ch", make(chan int)); err == nil {
			t.Error("stored a value JSON cannot encode")
		}
		// Raw JSON is stored as it is, and only when it is valid.
		mustNoErr(t, s.PutSetting(ctx, "raw", json.RawMessage(`{"a": [1, "x"]}`)))
		var raw map[string][]any
		mustNoErr(t, s.GetSetting(ctx, "raw", &raw))
		if len(raw["a"]) != 2 || raw["a"][1] != "x" {
			t.Errorf("raw setting read back as %v", raw)
		}
		for _, bad := range []string{``, `{"a":`, `{"a": 1} x`, `{'a': 1}`, "[1,]"} {
			if err := s.PutSetting(ctx, "raw", json.RawMessage(bad)); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("raw %q: err = %v, want ErrInvalidArgument", bad, err)
			}
		}
		mustNoErr(t, s.GetSetting(ctx, "raw", &raw)) // the valid value is still there
	})

	t.Run("settings by prefix are those keys and no others", func(t *testing.T) {
		for _, k := range []string{"engine.confirmed:a", "engine.confirmed:b/c", "engine.confirmed:", "engine.confirmed;x",
			"engine.confirmedX", "engine.confirme", "engine.confirmed", "é.1", "é.2", "éa", "e"} {
			mustNoErr(t, s.PutSetting(ctx, k, k))
		}
		for prefix, want := range map[string][]string{
			"engine.confirmed:": {"engine.confirmed:", "engine.confirmed:a", "engine.confirmed:b/c"},
			"é.":                {"é.1", "é.2"},
			"é":                 {"é.1", "é.2", "éa"}, // a prefix that ends in a byte above ASCII
			"nothing":           {},
		} {
			got, err := s.SettingsWithPrefix(ctx, prefix)
			mustNoErr(t, err)
			var keys []string
			for k, v := range got {
				keys = append(keys, k)
				if string(v) != strconv.Quote(k) {
					t.Errorf("%q holds %s", k, v)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, want) && len(keys)+len(want) > 0 {
				t.Errorf("SettingsWithPrefix(%q) = %q, want %q", prefix, keys, want)
			}
		}
	})

	t.Run("projects", func(t *testing.T) {
		root := t.TempDir()
		pathA, path0 := filepath.Join(root, "a"), filepath.Join(root, "0")
		a, err := s.AddProject(ctx, root+string(filepath.Separator)+filepath.Join("b", "..", "a"))
		mustNoErr(t, err)
		if a.Path != pathA || a.AddedAt.IsZero() {
			t.Errorf("AddProject = %+v, want path %s", a, pathA)
		}
		again, err := s.AddProject(ctx, pathA+string(filepath.Separator))
		mustNoErr(t, err)
		if !again.AddedAt.Equal(a.AddedAt) {
			t.Errorf("adding again changed AddedAt: %v -> %v", a.AddedAt, again.AddedAt)
		}
		_, err = s.AddProject(ctx, path0)
		mustNoErr(t, err)
		list, err := s.ListProjects(ctx)
		mustNoErr(t, err)
		if len(list) != 2 || list[0].Path != path0 || list[1].Path != pathA {
			t.Errorf("ListProjects = %+v", list)
		}
		mustNoErr(t, s.RemoveProject(ctx, pathA))
		if _, err := s.AddProject(ctx, filepath.Join("relative", "path")); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("relative path: err = %v", err)
		}
	})
}

// TestMigrationDropsJSONChecks migrates a version-6 database with rows in every table whose
// json_valid check 0007 removes: the rows survive, the four checks are gone (every other
// one stays), and the store itself still refuses what is not JSON in those columns.
func TestMigrationDropsJSONChecks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v6.db")
	old, err := open(ctx, path, 6, false, false)
	mustNoErr(t, err)
	_, err = old.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "user", UnifiedHash: "h"}, Payload: json.RawMessage(`{"servers":{}}`)},
		[]SnapshotDiff{{DiffPayload: json.RawMessage(`[]`), DiffFormat: DiffJSONPatch}})
	mustNoErr(t, err)
	mustNoErr(t, old.PutSetting(ctx, "k", map[string]int{"v": 1}))
	mustNoErr(t, old.PutEndpointState(ctx, EndpointState{EndpointID: "e", Scope: "user", Base: json.RawMessage(`{"rules":{}}`)}))
	var before int
	mustNoErr(t, old.write.QueryRow(`PRAGMA schema_version`).Scan(&before))
	mustNoErr(t, old.Close())

	s, err := Open(ctx, path)
	mustNoErr(t, err)
	defer s.Close()
	var after int
	mustNoErr(t, s.write.QueryRow(`PRAGMA schema_version`).Scan(&after))
	if after <= before {
		t.Errorf("schema_version %d after the migration, %d before: connections would keep the old schema", after, before)
	}
	checked := map[string]bool{}
	rows, err := s.write.Query(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%json_valid%'`)
	mustNoErr(t, err)
	for rows.Next() {
		var name, sql string
		mustNoErr(t, rows.Scan(&name, &sql))
		checked[name] = true
	}
	mustNoErr(t, rows.Err())
	for _, name := range []string{"config_snapshot", "snapshot_diff", "base_blob", "setting"} {
		if checked[name] {
			t.Errorf("%s still has a json_valid check", name)
		}
	}
	for _, name := range []string{"event_log", "conflict", "export"} {
		if !checked[name] {
			t.Errorf("%s lost its json_valid check; only the four large columns' go", name)
		}
	}
	snaps, err := s.ListSnapshots(ctx, SnapshotFilter{Scope: "user"})
	mustNoErr(t, err)
	if len(snaps.Items) != 1 {
		t.Fatalf("%d snapshots after the migration, want 1", len(snaps.Items))
	}
	var v map[string]int
	mustNoErr(t, s.GetSetting(ctx, "k", &v))
	states, err := s.ListEndpointStates(ctx, "user")
	mustNoErr(t, err)
	if v["v"] != 1 || len(states) != 1 || string(states[0].Base) != `{"rules":{}}` {
		t.Errorf("after the migration: setting %v, states %+v", v, states)
	}
	mustNoErr(t, s.IntegrityCheck(ctx))

	// What the checks refused, the store refuses before writing.
	_, err = s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "user", UnifiedHash: "h2"}, Payload: json.RawMessage(`{}`)},
		[]SnapshotDiff{{DiffPayload: json.RawMessage(`[{"op":`), DiffFormat: DiffJSONPatch}})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a diff that is not JSON: %v, want ErrInvalidArgument", err)
	}
	_, err = s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "user", UnifiedHash: "h3"}, Payload: json.RawMessage(`{"a":`)}, nil)
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a payload that is not JSON: %v, want ErrInvalidArgument", err)
	}
	err = s.PutEndpointState(ctx, EndpointState{EndpointID: "e2", Scope: "user", Base: json.RawMessage(`{"rules":`)})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a base that is not JSON: %v, want ErrInvalidArgument", err)
	}
	if snaps, _ := s.ListSnapshots(ctx, SnapshotFilter{Scope: "user"}); len(snaps.Items) != 1 {
		t.Errorf("%d snapshots after the refused ones, want 1", len(snaps.Items))
	}
}
