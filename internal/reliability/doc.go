// Package reliability holds the reliability suites of the portfolio server:
// bad input (a corpus of hostile or broken requests, in
// testdata/badinput), load (concurrent dashboard readers and committee
// writers) and crash (SIGKILL in the middle of write load, then integrity
// and durability checks). Each suite builds the real binary and runs it on
// loopback; docs/reliability.md describes them, the command that runs
// each, and the figures they measured.
//
// The package has no code of its own: the suites are its tests.
package reliability
