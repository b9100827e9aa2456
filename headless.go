//go:build headless

// The headless build (go build -tags headless, `make headless`) leaves out the desktop face:
// the Wails window, the tray and the native dialogs (app.go, desktop.go). It then links no GUI
// library, so `aisync serve` does not map GTK and WebKitGTK (about 45 MB of resident shared
// libraries the server never uses), and it needs no cgo at all: built with CGO_ENABLED=0 it
// is a static binary for servers and containers. Every command but the bare `aisync` works.

package main

import "io"

// desktopApp is nil: a bare `aisync` explains that this build has no window and points to
// `aisync serve`.
var desktopApp func(stderr io.Writer) int
