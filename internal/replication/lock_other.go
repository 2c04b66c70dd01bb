//go:build !unix

package replication

import (
	"errors"
	"os"
)

// errNoLocks: replicas need POSIX record locks (Linux, the BSDs, macOS).
var errNoLocks = errors.New("replicas need POSIX file locks: run them on Linux or another Unix")

func lockExclusive(*os.File) error { return errNoLocks }

func unlock(*os.File) error { return errNoLocks }

func lockFollower(string) (*os.File, error) { return nil, errNoLocks }
