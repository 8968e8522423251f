//go:build !unix

package sse

import "net"

// gone cannot look without reading; a reader that has gone is found when a
// write (a keep-alive at the latest) fails.
func gone(net.Conn) bool { return false }
