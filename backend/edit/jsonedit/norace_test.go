//go:build !race

package jsonedit

// raceEnabled lets timing tests step aside: the race detector's overhead is not linear.
const raceEnabled = false
