package jsonedit_test

import (
	"fmt"

	"aisync/backend/edit/jsonedit"
)

// An adapter reads a client's file, changes the entries it owns and writes the file back only
// if something changed; everything else the user wrote stays as it was.
func Example() {
	in := []byte(`{
	// my servers
	"servers": {
		"fs": {"command": "npx", "args": ["-y", "fs-server"]}, // local files
	},
}
`)
	doc, err := jsonedit.Parse(in)
	if err != nil {
		fmt.Println(err) // e.g. "line 3, column 2: expected ',' or '}' after object member, found '\"'"
		return
	}
	_ = doc.Set([]string{"servers", "fs", "args"}, []string{"-y", "fs-server", "/tmp"})
	_ = doc.Set([]string{"servers", "web"}, map[string]string{"url": "https://example.com/mcp"})
	if doc.Changed() {
		fmt.Print(string(doc.Bytes()))
	}
	raw, _ := doc.Get("servers", "web", "url")
	fmt.Println(string(raw), doc.Keys("servers"))
	// Output:
	// {
	// 	// my servers
	// 	"servers": {
	// 		"fs": {"command": "npx", "args": ["-y", "fs-server", "/tmp"]}, // local files
	// 		"web": {
	// 			"url": "https://example.com/mcp",
	// 		},
	// 	},
	// }
	// "https://example.com/mcp" [fs web]
}
