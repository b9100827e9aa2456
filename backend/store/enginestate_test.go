package store

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
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
