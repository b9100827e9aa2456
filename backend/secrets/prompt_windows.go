//go:build windows

package secrets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/windows"
)

// isTerminal reports whether f is a console.
func isTerminal(f *os.File) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}

// readNoEcho turns echo off on the console f, shows prompt on w, and reads one line.
func readNoEcho(f *os.File, r *bufio.Reader, w io.Writer, prompt string) (string, error) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return "", errors.New("read value: cannot query the console")
	}
	if err := windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT|windows.ENABLE_PROCESSED_INPUT|windows.ENABLE_LINE_INPUT); err != nil {
		return "", errors.New("read value: cannot turn off echo")
	}
	defer windows.SetConsoleMode(h, mode)
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	s, err := r.ReadString('\n')
	if err != nil && s == "" {
		return "", errors.New("read value: no input")
	}
	return strings.TrimRight(s, "\r\n"), nil
}
