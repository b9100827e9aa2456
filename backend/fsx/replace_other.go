//go:build !linux

package fsx

// replace checks the expected bytes and renames: on systems without an atomic exchange a
// save landing between the check and the rename cannot be detected.
func replace(tmp, path string, opt WriteOptions) error { return replaceChecked(tmp, path, opt) }
