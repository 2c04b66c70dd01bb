//go:build unix

package replication

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// SQLite's locking bytes (its os_unix.c): a writer holds the pending byte
// and the whole shared range, which no reader then holds.
const (
	pendingByte = 0x40000000
	sharedFirst = pendingByte + 2
	sharedSize  = 510
)

// lockExclusive takes SQLite's EXCLUSIVE lock on the database file f,
// waiting for readers to finish, as Litestream's follower does before it
// writes pages. The locks are POSIX record locks: they belong to the
// process, and closing any descriptor of the file releases them all.
func lockExclusive(f *os.File) error {
	if err := setLock(f, unix.F_WRLCK, pendingByte, 1); err != nil {
		return err
	}
	if err := setLock(f, unix.F_WRLCK, sharedFirst, sharedSize); err != nil {
		_ = setLock(f, unix.F_UNLCK, pendingByte, 1)
		return err
	}
	return nil
}

// unlock releases lockExclusive's locks.
func unlock(f *os.File) error {
	err1 := setLock(f, unix.F_UNLCK, sharedFirst, sharedSize)
	err2 := setLock(f, unix.F_UNLCK, pendingByte, 1)
	if err1 != nil {
		return err1
	}
	return err2
}

func setLock(f *os.File, typ int16, start, length int64) error {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: start, Len: length}
	if err := unix.FcntlFlock(f.Fd(), unix.F_SETLKW, &lk); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}

// lockFollower takes an exclusive flock on path (created if needed), held
// as long as the returned file is open: one follower per copy.
func lockFollower(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if err == unix.EWOULDBLOCK {
			return nil, errFollowerRunning
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
