package main

import (
	"math"
	"runtime"
	"runtime/debug"
)

// firstCollection is the heap size at which the first garbage collection starts. A short run
// (one file, --help, explain) allocates a few MiB and exits; with the runtime's 4 MiB starting
// goal, collections are a fifth of its wall time. Collection starts at this size instead, and the
// default pacing (GOGC=100, no memory limit) takes over after the first cycle, so that long
// batches keep their usual footprint.
const firstCollection = 32 << 20

// delayFirstCollection applies firstCollection unless GOGC or GOMEMLIMIT is set, which leave the
// runtime as configured.
func delayFirstCollection(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(firstCollection)
	// The cleanup runs after the first collection, which finds the sentinel unreachable.
	runtime.AddCleanup(&sentinel{}, func(int) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}, 0)
}

// sentinel is big enough to get an allocation of its own: cleanups of tiny objects may never run.
type sentinel struct{ _ [64]byte }
