//go:build unix

package sse

import (
	"errors"
	"net"
	"syscall"
)

// gone says whether the reader of nc has closed it: a read that does not
// wait finds the connection's end (or an error) rather than nothing. What
// the reader sent is read and dropped.
func gone(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	var b [64]byte
	var n int
	var rerr error
	if err := raw.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), b[:])
		return true
	}); err != nil {
		return true
	}
	switch {
	case errors.Is(rerr, syscall.EAGAIN), errors.Is(rerr, syscall.EWOULDBLOCK), errors.Is(rerr, syscall.EINTR):
		return false
	case rerr != nil:
		return true
	}
	return n == 0
}
