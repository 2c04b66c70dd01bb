//go:build !linux

package replication

import "syscall"

// childAttr: only Linux kills a child with its parent; elsewhere the
// follower's lock keeps a second one out.
func childAttr() *syscall.SysProcAttr { return nil }
