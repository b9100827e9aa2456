//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package secrets

var startKeyringHint = "make sure the OS keyring (macOS Keychain, Windows Credential Manager) is available to this user session"

// probeSecretService looks up a name that is never stored, bounded by probeTimeout.
func probeSecretService(service string) error { return probeWithKeyring(service) }
