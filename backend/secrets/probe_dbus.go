//go:build linux || freebsd || netbsd || openbsd || dragonfly

package secrets

import (
	"context"
	"fmt"
	"slices"

	"github.com/godbus/dbus/v5"
)

const secretServiceName = "org.freedesktop.secrets"

var startKeyringHint = "start a keyring in a D-Bus session, e.g. log in to a desktop session, or headless:\n" +
	"      dbus-run-session -- sh -c 'echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets >/dev/null; aisync …'"

// probeSecretService checks, in this order and without ever auto-launching a bus, that
// there is a D-Bus session bus, that something provides org.freedesktop.secrets on it, and
// that a lookup answers "not found" for a name that is never stored. Each step fails in
// milliseconds when the piece is missing, and the whole probe is bounded by probeTimeout.
func probeSecretService(service string) error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- probeBus(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return fmt.Errorf("the D-Bus session bus did not answer within %s", probeTimeout)
	}
	return probeWithKeyring(service)
}

func probeBus(ctx context.Context) error {
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS): %w", err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return fmt.Errorf("connect to the D-Bus session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		return fmt.Errorf("connect to the D-Bus session bus: %w", err)
	}
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretServiceName).Store(&owned); err != nil {
		return fmt.Errorf("ask the D-Bus session bus for %s: %w", secretServiceName, err)
	}
	if owned {
		return nil
	}
	var activatable []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return fmt.Errorf("ask the D-Bus session bus for %s: %w", secretServiceName, err)
	}
	if !slices.Contains(activatable, secretServiceName) {
		return fmt.Errorf("nothing on the D-Bus session bus provides %s (no keyring daemon such as gnome-keyring or KeePassXC is running)", secretServiceName)
	}
	return nil
}
