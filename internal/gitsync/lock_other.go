//go:build !unix

package gitsync

import "context"

// lockClone does nothing where there is no flock: one process at a time
// should sync with a clone.
func lockClone(context.Context, string) (func(), error) { return func() {}, nil }
