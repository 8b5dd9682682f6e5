// Package motoserver gives tests an ECS API endpoint backed by moto, a third-party AWS emulator.
//
// The Makefile (scripts/with-moto) starts one moto_server for the whole test run and exports its
// address as PODECS_MOTO_ENDPOINT. When that variable is unset (plain `go test`), the first test
// that asks starts its own moto_server on a free loopback port; TestMain stops it. Under CI=true a
// missing moto_server or awscli fails the test instead of skipping it.
package motoserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	mu       sync.Mutex
	endpoint string
	cmd      *exec.Cmd
)

// Endpoint returns the URL of a running moto server, starting one if needed. It skips the test
// when moto_server is not installed, unless CI=true, where it fails.
func Endpoint(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if endpoint != "" {
		return endpoint
	}
	if e := os.Getenv("PODECS_MOTO_ENDPOINT"); e != "" {
		endpoint = e
		return endpoint
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		unavailable(t, "moto_server not found on PATH (install moto[server]; `make test` checks it)")
	}
	e, c, err := start()
	if err != nil {
		unavailable(t, err.Error())
	}
	endpoint, cmd = e, c
	return endpoint
}

// RequireAWSCLI returns the path of the aws command line, or skips (fails under CI=true).
func RequireAWSCLI(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		unavailable(t, "aws (awscli) not found on PATH")
	}
	return p
}

// Env returns environment variables that point the awscli and the SDK at the emulator.
func Env(endpoint string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ENDPOINT_URL="+endpoint, "AWS_PAGER=")
}

// Stop ends a moto server this package started. Call it from TestMain after m.Run.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		cmd = nil
	}
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("integration test needs moto and the awscli: %s", why)
	}
	t.Skipf("skipping integration test: %s", why)
}

func start() (string, *exec.Cmd, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	c := exec.Command("moto_server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := c.Start(); err != nil {
		return "", nil, fmt.Errorf("start moto_server: %w", err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return url, c, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = c.Process.Kill()
	_ = c.Wait()
	return "", nil, fmt.Errorf("moto_server did not answer on %s within 20s", url)
}

// StartPrivate starts a moto server of the test's own, which the test may stop at any moment
// (stop is idempotent and also runs at the end of the test).
func StartPrivate(t testing.TB) (endpoint string, stop func()) {
	t.Helper()
	if _, err := exec.LookPath("moto_server"); err != nil {
		unavailable(t, "moto_server not found on PATH (install moto[server]; `make test` checks it)")
	}
	e, c, err := start()
	if err != nil {
		unavailable(t, err.Error())
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = c.Process.Kill()
			_ = c.Wait()
		})
	}
	t.Cleanup(stop)
	return e, stop
}
