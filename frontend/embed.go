// Package frontend embeds the built web UI (frontend/dist) so one binary serves it both in
// the Wails window and from `aisync serve`. Build it first: make frontend.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets is the built UI rooted at dist/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees dist exists
	}
	return sub
}

// Built reports whether the embedded UI holds an index.html (false in a tree where the
// frontend was never built; the server then says how to build it).
func Built() bool {
	_, err := fs.Stat(Assets(), "index.html")
	return err == nil
}
