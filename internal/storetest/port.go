package storetest

import (
	"net"
	"testing"
)

// FreePort returns a TCP port that is free on 127.0.0.1 right now, for a
// server a test starts (git daemon, Vault, sshd, the issue tracker).
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := FindFreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// FindFreePort is FreePort for code that has no testing.TB (testscript
// commands).
func FindFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
