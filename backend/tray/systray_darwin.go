//go:build darwin

package tray

import "context"

// Actions are what the menu does; the desktop app implements them over the service.
type Actions interface {
	SyncNow()
	SetPaused(paused bool)
	OpenDashboard()
	OpenConflict(id string)
	ShowError(msg string)
	SetAutoStart(on bool) error
	Quit()
}

// Supported is false on macOS: getlantern/systray and Wails both define an Objective-C
// AppDelegate and clash at link time. The plan is a small companion tray process with the
// same menu that talks to the local API (see README).
const Supported = false

// Tray is a no-op on macOS.
type Tray struct{}

// Register does nothing on macOS.
func Register(func() Snapshot, Actions) *Tray { return &Tray{} }

// Refresh does nothing on macOS.
func (*Tray) Refresh() {}

// Run returns when ctx ends.
func (*Tray) Run(ctx context.Context) { <-ctx.Done() }
