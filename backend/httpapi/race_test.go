//go:build race

package httpapi

// raceEnabled lets the large-export test step aside under the race detector, which makes the
// pure-Go SQLite some 30 times slower; scripts/test.sh runs this package without it too.
const raceEnabled = true
