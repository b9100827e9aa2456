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
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE)
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
		return nil
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE); err != nil {
		return fmt.Errorf("undo replace of %s (another program wrote it; its bytes are in %s): %w", path, tmp, err)
	}
	return ErrChangedUnderneath
}
