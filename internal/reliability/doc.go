// Package reliability holds the reliability suites of the portfolio server:
// bad input (a corpus of hostile or broken requests, in
// testdata/badinput), load (concurrent dashboard readers and committee
// writers), crash (SIGKILL in the middle of write load, then integrity
// and durability checks) and replicas (a primary and two replicas, a
// failover, fencing, an SFTP store). Each suite builds the real binary and runs it on
// loopback; docs/reliability.md describes them, the command that runs
// each, and the figures they measured.
//
// The package has no code of its own: the suites are its tests.
package reliability
