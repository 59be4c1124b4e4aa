// Command pause is the sandbox ("infra") container of the test cluster's
// pods: it holds the pod's namespaces open and reaps orphaned children
// until it is told to stop. Kubernetes' own pause image cannot be pulled
// here, so hack/cluster builds this one with hack/image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			return
		}
		// PID 1 of a shared PID namespace inherits orphans: reap them.
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
