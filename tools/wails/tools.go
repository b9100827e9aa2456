//go:build tools

// Package tools pins the Wails CLI (used for `make bindings` and packaging) in its own module,
// so its many dependencies stay out of the app's go.mod.
package tools

import _ "github.com/wailsapp/wails/v2/cmd/wails"
