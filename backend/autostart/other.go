//go:build !windows

package autostart

import "errors"

var errNotWindows = errors.New("the Windows registry is only available on Windows")

func windowsEnabled(Entry) bool    { return false }
func windowsSet(Entry, bool) error { return errNotWindows }
