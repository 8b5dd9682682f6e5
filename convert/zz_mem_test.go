package convert

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/podecs/podecs/internal/corpusgen"
)

func TestZZMem(t *testing.T) {
	var buf bytes.Buffer
	corpusgen.Write(&buf, corpusgen.Options{Workloads: 20000, Seed: 1})
	ins := memInputs("x", buf.String())
	buf = bytes.Buffer{}
	n := 0
	f, _ := os.CreateTemp("", "spool")
	defer os.Remove(f.Name())
	sp := &tspool{f}
	err := Batch(ins, BatchOptions{Spool: sp}, BatchHandler{Item: func(it Item) error {
		n++
		if n == 19990 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			t.Logf("heap alloc %.1f MB inuse %.1f sys %.1f", float64(m.HeapAlloc)/1e6, float64(m.HeapInuse)/1e6, float64(m.Sys)/1e6)
			hf, _ := os.Create("/tmp/pb/heap40.prof")
			pprof.WriteHeapProfile(hf)
			hf.Close()
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
}

type tspool struct{ *os.File }

func (s *tspool) Rewind() (io.Reader, error) { _, err := s.Seek(0, 0); return s.File, err }
