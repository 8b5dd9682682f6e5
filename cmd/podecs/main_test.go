package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/podecs/podecs/internal/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

// runCLI runs podecs in-process with the given arguments and standard input, and an empty
// environment so that no AWS_REGION of the machine leaks into the output.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	s := streams{In: strings.NewReader(stdin), Out: &out, Err: &errb, Getenv: func(string) string { return "" }}
	code = run(append([]string{"podecs"}, args...), s)
	return code, out.String(), errb.String()
}
