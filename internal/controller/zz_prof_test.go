package controller

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
)

func TestZZHeapProfile(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	runtime.MemProfileRate = 1
	w := convergedWorld(t, 10000)
	for i := 0; i < map[string]int{"read": 1, "read3": 3}[os.Getenv("ZZPROF")]; i++ {
		if err := w.ctl.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	f, _ := os.Create("/tmp/mem/ctl-" + os.Getenv("ZZPROF"))
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
	runtime.KeepAlive(w)
}
