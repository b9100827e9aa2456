// Package autostart turns "start aisync when I log in" on and off: an XDG autostart
// .desktop file on Linux, a LaunchAgent on macOS, a Run registry value on Windows.
package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"aisync/backend/fsx"
)

// Entry is the autostart registration of one executable for one user.
type Entry struct {
	GOOS          string
	Home          string
	XDGConfigHome string
	Exe           string // absolute path of the aisync binary
}

// Path is the file that registers the app (Linux and macOS).
func (e Entry) Path() string {
	switch e.GOOS {
	case "darwin":
		return filepath.Join(e.Home, "Library", "LaunchAgents", "app.aisync.plist")
	default:
		dir := e.XDGConfigHome
		if dir == "" {
			dir = filepath.Join(e.Home, ".config")
		}
		return filepath.Join(dir, "autostart", "aisync.desktop")
	}
}

// Content is what Path holds when autostart is on.
func (e Entry) Content() string {
	if e.GOOS == "darwin" {
		return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>app.aisync</string>
  <key>ProgramArguments</key><array><string>` + xmlEscape(e.Exe) + `</string></array>
  <key>RunAtLoad</key><true/>
  <key>ProcessType</key><string>Interactive</string>
</dict>
</plist>
`
	}
	return "[Desktop Entry]\nType=Application\nName=aisync\nComment=Keep your AI clients' MCP servers, rules and permissions in sync\n" +
		"Exec=" + desktopQuote(e.Exe) + "\nIcon=aisync\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
}

// Enabled reports whether autostart is on.
func (e Entry) Enabled() bool {
	if e.GOOS == "windows" {
		return windowsEnabled(e)
	}
	_, err := os.Stat(e.Path())
	return err == nil
}

// Set turns autostart on or off.
func (e Entry) Set(on bool) error {
	if e.GOOS == "windows" {
		return windowsSet(e, on)
	}
	p := e.Path()
	if !on {
		return fsx.Remove(p)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("enable autostart: %w", err)
	}
	if err := fsx.WriteAtomic(p, []byte(e.Content()), fsx.WriteOptions{Perm: 0o644}); err != nil {
		return fmt.Errorf("enable autostart: %w", err)
	}
	return nil
}

func desktopQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`)
	return `"` + r.Replace(s) + `"`
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
