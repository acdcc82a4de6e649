package redistest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a server if the test binary dies first
// (a test timeout, a kill -9), so CI runners do not collect orphans.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
