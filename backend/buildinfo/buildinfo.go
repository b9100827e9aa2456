// Package buildinfo holds the version stamped in at link time
// (-ldflags "-X aisync/backend/buildinfo.Version=…").
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set by the Makefile.
var (
	Version = "dev"
	Commit  = ""
)

// Info is what `aisync version` and the API report.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Get returns the build information, filling the commit from the Go build info when the
// linker did not stamp it.
func Get() Info {
	c := Commit
	if c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					c = s.Value[:12]
				}
			}
		}
	}
	return Info{Version: Version, Commit: c, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}
