package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// busyPortHint says what to do when the address to listen on is taken
// (another server, often a serve started earlier, listens there): the
// next port, or port 0 for any free one.
func busyPortHint(err error, addr string) string {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return ""
	}
	next := "127.0.0.1:8081"
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65535 {
			next = net.JoinHostPort(host, strconv.Itoa(n+1))
		}
	}
	return fmt.Sprintf("\nanother program listens on %s (a portfolio serve started earlier?): stop it, or serve on another port with --addr %s (or PORTFOLIO_ADDR), or --addr 127.0.0.1:0 for any free port", addr, next)
}
