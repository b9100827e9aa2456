//go:build windows

package autostart

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func windowsEnabled(e Entry) bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	_, _, err = k.GetStringValue("aisync")
	return err == nil
}

func windowsSet(e Entry, on bool) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if on {
		return k.SetStringValue("aisync", `"`+e.Exe+`"`)
	}
	if err := k.DeleteValue("aisync"); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return nil
}
