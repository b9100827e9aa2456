//go:build linux

package fsx

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// replace moves tmp over path only if path still holds the expected bytes, with no window
// in which another program's save can be lost: the two files are swapped atomically
// (renameat2 RENAME_EXCHANGE), the bytes that were at path are checked, and if someone else
// wrote them the swap is undone. A missing target uses RENAME_NOREPLACE instead.
func replace(tmp, path string, opt WriteOptions) error {
	if !opt.guarded() {
		return os.Rename(tmp, path)
	}
	if opt.ExpectAbsent {
		err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EEXIST):
			return ErrChangedUnderneath
		case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS):
			return replaceChecked(tmp, path, opt)
		}
		return err
	}
	// Check first, so that in the common case of a stale read nothing is swapped and the
	// client never sees our older bytes; the exchange below then only covers the
	// microseconds between this check and the swap.
	if cur, err := ReadFile(path); err != nil {
		return err
	} else if Hash(cur) != opt.ExpectHash {
		return ErrChangedUnderneath
	}
	mine, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	ours := Hash(mine)
	err = unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE)
	switch {
	case errors.Is(err, unix.ENOENT):
		return ErrChangedUnderneath // the file vanished meanwhile
	case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS):
		return replaceChecked(tmp, path, opt) // a filesystem without exchange support
	case err != nil:
		return err
	}
	// tmp now holds what path held at the instant of the swap.
	prev, rerr := os.ReadFile(tmp)
	if rerr == nil && Hash(prev) == opt.ExpectHash {
		return os.Remove(tmp) // the old bytes (already backed up by the caller)
	}
	return undo(tmp, path, ours)
}

// undo puts another program's save back after our exchange displaced it. tmp holds the
// displaced bytes. If the program saved again meanwhile (path no longer holds ours), its
// newer save stands and the displaced older one is dropped; if it saved between our check
// and our swap back, the newer save is swapped in once more.
func undo(tmp, path, ours string) error {
	cur, err := os.ReadFile(path)
	if err != nil || Hash(cur) != ours {
		os.Remove(tmp)
		return ErrChangedUnderneath
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE); err != nil {
		return fmt.Errorf("undo replace of %s (another program wrote it; its bytes are in %s): %w", path, tmp, err)
	}
	back, err := os.ReadFile(tmp)
	if err == nil && Hash(back) != ours {
		// The program saved again between our check and our swap back: tmp holds that newer
		// save and path the older one, so swap once more to keep the newest.
		if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE); err != nil {
			return fmt.Errorf("undo replace of %s (its newest bytes are in %s): %w", path, tmp, err)
		}
	}
	os.Remove(tmp)
	return ErrChangedUnderneath
}
