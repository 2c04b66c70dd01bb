package replication

import "syscall"

// childAttr makes the follower die with the replica (SIGKILL when the
// thread that started it ends): two followers on one copy would race.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
