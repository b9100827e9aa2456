//go:build !race

package store

// raceEnabled shrinks the volume tests under the race detector, which makes the pure-Go
// SQLite some 30 times slower; scripts/test.sh also runs this package without it, at full
// size.
const raceEnabled = false
