package mcpjson

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// TestEntryEditsMatchWholeObject: editing a few entries of an existing servers object one
// by one gives exactly the bytes (and warnings) of setting the whole object, and what the
// edit reads back is what the result decodes as, for every
// dialect, on real client files and on files in odd layouts (comments, trailing commas,
// tabs, one line, duplicate names), under random edits that change, add, remove, rename
// and switch off servers.
func TestEntryEditsMatchWholeObject(t *testing.T) {
	docs := map[string][]byte{
		"tabs":     []byte("{\n\t\"mcpServers\": {\n\t\t\"a\": {\"command\": \"npx\", \"args\": [\"-y\", \"a\"]},\n\t\t\"b\": {\n\t\t\t\"url\": \"https://b\" // remote\n\t\t},\n\t},\n}\n"),
		"oneline":  []byte(`{"mcpServers":{"a":{"command":"x","env":{"K":"v"}},"b":{"command":"y"},"c":{"url":"https://c"}},"other":1}`),
		"comments": []byte("// servers\n{\n  \"mcpServers\": {\n    // first\n    \"a\": { \"command\": \"x\" },\n    /* second */ \"b\": { \"command\": \"y\", \"disabled\": true }\n  },\n  \"theme\": \"dark\"\n}\n"),
		"dupes":    []byte("{\"mcpServers\": {\"a\": {\"command\": \"x\"}, \"b\": {\"command\": \"y\"}, \"a\": {\"command\": \"z\"}}}\n"),
		"crlf":     []byte("{\r\n    \"mcpServers\": {\r\n        \"a\": {\r\n            \"command\": \"x\"\r\n        },\r\n        \"b\": {\r\n            \"command\": \"y\"\r\n        }\r\n    }\r\n}\r\n"),
		"nested":   []byte(`{"projects":{"/p":{"mcpServers":{"a":{"command":"x"},"b":{"command":"y"}},"disabledMcpServers":["b"]}}}`),
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "edit", "jsonedit", "testdata", "files", "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			docs[filepath.Base(f)] = b
		}
	}
	listed := claudeLike.WithRoot("projects", "/p", "mcpServers")
	listed.Disabled = DisabledListed
	listed.DisabledList = []string{"projects", "/p", "disabledMcpServers"}
	dialects := []Dialect{claudeLike, cursorLike, clineLike, windsurfLike, copilotLike, desktopLike, zedLike, listed, opencodeLike, geminiLike}

	saved := entryEdits
	defer func() { entryEdits = saved }()
	r := rand.New(rand.NewPCG(7, 11))
	checked, perEntry := 0, 0
	for _, name := range slices.Sorted(mapsKeys(docs)) {
		data := docs[name]
		for _, d := range dialects {
			servers, _, err := d.DecodeFile(name, data, clients.FormatJSONC)
			if err != nil || len(servers) == 0 {
				continue
			}
			for round := range 12 {
				want := editServers(r, servers, round)
				entryEdits = -1
				whole, wholeWarns, wholeErr := d.EncodeFile(name, data, clients.FormatJSONC, want)
				entryEdits = saved
				got, warns, err := d.EncodeFile(name, data, clients.FormatJSONC, want)
				if (err == nil) != (wholeErr == nil) {
					t.Fatalf("%s, %s, round %d: error %v, whole-object error %v", name, d.Name, round, err, wholeErr)
				}
				if !bytes.Equal(got, whole) {
					t.Fatalf("%s, %s, round %d: entry by entry\n%s\nwhole object\n%s", name, d.Name, round, got, whole)
				}
				if !reflect.DeepEqual(warns, wholeWarns) {
					t.Fatalf("%s, %s, round %d: warnings %v, whole object %v", name, d.Name, round, warns, wholeWarns)
				}
				// What the edit reads back is what the written file decodes as.
				ep := clients.Endpoint{Path: name, Format: clients.FormatJSONC}
				_, _, back, err := d.EncodeReadBack(ep, clients.Files{name: data}, unified.Config{Servers: want})
				if err != nil {
					t.Fatalf("%s, %s, round %d: EncodeReadBack: %v", name, d.Name, round, err)
				}
				decoded, _, err := d.DecodeFile(name, got, clients.FormatJSONC)
				if err != nil {
					t.Fatalf("%s, %s, round %d: decode the result: %v", name, d.Name, round, err)
				}
				if a, b := back.Canonical(), (unified.Config{Servers: decoded}).Canonical(); !bytes.Equal(a, b) {
					t.Fatalf("%s, %s, round %d: read back\n%s\ndecoded\n%s", name, d.Name, round, a, b)
				}
				checked++
				if !bytes.Equal(got, data) {
					perEntry++
				}
			}
		}
	}
	t.Logf("%d cases, %d with a change", checked, perEntry)
	if checked < 100 || perEntry < 50 {
		t.Fatalf("only %d cases (%d with a change)", checked, perEntry)
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// editServers returns servers with one or two random edits.
func editServers(r *rand.Rand, servers map[string]unified.Server, round int) map[string]unified.Server {
	out := map[string]unified.Server{}
	for k, v := range servers {
		v = v.Clone()
		v.Normalize()
		out[k] = v
	}
	names := slices.Sorted(mapsKeys(out))
	pick := func() string { return names[r.IntN(len(names))] }
	for range 1 + round%2 {
		switch r.IntN(7) {
		case 0: // change arguments
			n := pick()
			s := out[n]
			s.Args = append(s.Args, fmt.Sprintf("--flag-%d", r.IntN(100)))
			out[n] = s
		case 1: // change the environment
			n := pick()
			s := out[n]
			if s.Env == nil {
				s.Env = map[string]string{}
			}
			s.Env[fmt.Sprintf("VAR_%d", r.IntN(5))] = fmt.Sprint(r.IntN(1000))
			out[n] = s
		case 2: // add a server
			out[fmt.Sprintf("new-%d", r.IntN(1000))] = unified.Server{Transport: unified.TransportStdio, Command: "node", Args: []string{"srv.js"}}
		case 3: // remove a server
			delete(out, pick())
		case 4: // switch one off or on
			n := pick()
			s := out[n]
			s.Disabled = !s.Disabled
			out[n] = s
		case 5: // make one remote
			n := pick()
			out[n] = unified.Server{Transport: unified.TransportHTTP, URL: "https://example.test/mcp"}
		case 6: // rename one
			n := pick()
			out[n+"-renamed"] = out[n]
			delete(out, n)
		}
		if len(out) == 0 {
			break
		}
		names = slices.Sorted(mapsKeys(out))
	}
	return out
}
