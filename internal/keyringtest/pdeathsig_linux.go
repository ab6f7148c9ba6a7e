package keyringtest

import (
	"os/exec"
	"syscall"
)

// setParentDeath ends the session when the test binary dies (go test's
// timeout kills it), so no bus or keyring daemon outlives the tests.
func setParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
