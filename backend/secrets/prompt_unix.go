//go:build !windows

package secrets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
)

// isTerminal reports whether f is a terminal: a character device that stty can query
// (/dev/null is a character device too, but not a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	_, err = stty(f, "-g")
	return err == nil
}

func stty(f *os.File, args ...string) (string, error) {
	cmd := exec.Command("stty", args...)
	cmd.Stdin = f
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// readNoEcho turns echo off on the terminal f, shows prompt on w (only then, so nothing
// typed early is echoed), reads one line, and turns echo back on, also when the user
// interrupts with Ctrl-C.
func readNoEcho(f *os.File, r *bufio.Reader, w io.Writer, prompt string) (string, error) {
	state, err := stty(f, "-g")
	if err != nil {
		return "", errors.New("read value: cannot query the terminal (stty -g failed)")
	}
	if _, err := stty(f, "-echo"); err != nil {
		return "", errors.New("read value: cannot turn off echo (stty -echo failed)")
	}
	defer stty(f, state)
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	go func() {
		s, err := r.ReadString('\n')
		got <- line{s, err}
	}()
	select {
	case l := <-got:
		if l.err != nil && l.s == "" {
			return "", errors.New("read value: no input")
		}
		return strings.TrimRight(l.s, "\r\n"), nil
	case <-sig:
		return "", errors.New("interrupted: nothing stored")
	}
}
