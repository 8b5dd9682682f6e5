package main

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func gcSettings() (gogc, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	// GOGC=off reads as the largest uint64, which converts to -1.
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// TestDelayFirstCollection: the first collection waits for firstCollection bytes, then the
// default pacing returns; GOGC or GOMEMLIMIT in the environment leave the runtime alone.
func TestDelayFirstCollection(t *testing.T) {
	gogc, limit := gcSettings()
	assert.Equal(t, int64(100), gogc, "the test runs with the defaults")
	assert.Equal(t, int64(math.MaxInt64), limit)

	delayFirstCollection(func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	gogc, limit = gcSettings()
	assert.Equal(t, int64(100), gogc, "GOGC set: unchanged")
	assert.Equal(t, int64(math.MaxInt64), limit)

	delayFirstCollection(func(string) string { return "" })
	gogc, limit = gcSettings()
	assert.Equal(t, int64(-1), gogc, "off until the limit")
	assert.Equal(t, int64(firstCollection), limit)

	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if gogc, limit = gcSettings(); gogc == 100 {
			break
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, int64(100), gogc, "the default pacing after the first collection")
	assert.Equal(t, int64(math.MaxInt64), limit)
}
