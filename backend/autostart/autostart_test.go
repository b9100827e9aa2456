package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinuxAndMacRoundTrip(t *testing.T) {
	t.Parallel()
	for _, goos := range []string{"linux", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			e := Entry{GOOS: goos, Home: home, Exe: "/opt/ai sync/aisync"}
			if e.Enabled() {
				t.Fatal("enabled before Set")
			}
			if err := e.Set(true); err != nil {
				t.Fatal(err)
			}
			if !e.Enabled() {
				t.Fatal("not enabled after Set(true)")
			}
			data, _ := os.ReadFile(e.Path())
			want := map[string]string{"linux": `Exec="/opt/ai sync/aisync"`, "darwin": "<string>/opt/ai sync/aisync</string>"}[goos]
			if !strings.Contains(string(data), want) {
				t.Fatalf("%s lacks %q:\n%s", e.Path(), want, data)
			}
			if err := e.Set(false); err != nil || e.Enabled() {
				t.Fatalf("disable: %v enabled=%v", err, e.Enabled())
			}
			if err := e.Set(false); err != nil {
				t.Fatalf("disabling twice: %v", err)
			}
		})
	}
}

func TestLinuxHonoursXDGConfigHome(t *testing.T) {
	t.Parallel()
	e := Entry{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/x/cfg"}
	if e.Path() != filepath.Join("/x/cfg", "autostart", "aisync.desktop") {
		t.Fatal(e.Path())
	}
}
