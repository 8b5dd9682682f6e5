package mapping

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const probeTestC = "spec.containers[0]"

// probeTestFinding returns the findings raised for one path.
func probeTestFinding(fs Findings, path string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Path == path {
			out = append(out, f)
		}
	}
	return out
}

func probeTestLevel(t *testing.T, fs Findings, path string, level Level) Finding {
	t.Helper()
	got := probeTestFinding(fs, path)
	require.Len(t, got, 1, "findings at %s: %v", path, fs)
	assert.Equal(t, level, got[0].Level, got[0].Message)
	return got[0]
}

func probeTestHTTP(port intstr.IntOrString, path string) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port, Path: path}}}
}

func TestHealthCheckFromProbesHandlers(t *testing.T) {
	ports := []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {ContainerPort: 9090}}
	tls := corev1.GRPCProbeModeTLS
	plain := corev1.GRPCProbeModePlaintext
	h2 := corev1.HTTPProtocolHTTP2
	tests := []struct {
		name    string
		handler corev1.ProbeHandler
		want    []string
		errPath string // an Error finding is expected here and no health check
		info    string // an Info finding is expected here
	}{
		{
			name:    "exec keeps the arguments",
			handler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"cat", "/tmp/healthy"}}},
			want:    []string{"CMD", "cat", "/tmp/healthy"},
		},
		{
			name:    "httpGet on a numeric port",
			handler: probeTestHTTP(intstr.FromInt32(8080), "/healthz").ProbeHandler,
			want:    []string{"CMD-SHELL", "curl -fsS http://localhost:8080/healthz || exit 1"},
			info:    probeTestC + ".livenessProbe.httpGet",
		},
		{
			name:    "httpGet empty path requests /",
			handler: probeTestHTTP(intstr.FromInt32(80), "").ProbeHandler,
			want:    []string{"CMD-SHELL", "curl -fsS http://localhost:80/ || exit 1"},
		},
		{
			name:    "httpGet path without leading slash",
			handler: probeTestHTTP(intstr.FromInt32(80), "ready?full=1").ProbeHandler,
			want:    []string{"CMD-SHELL", "curl -fsS 'http://localhost:80/ready?full=1' || exit 1"},
		},
		{
			name:    "httpGet named port resolved",
			handler: probeTestHTTP(intstr.FromString("http"), "/").ProbeHandler,
			want:    []string{"CMD-SHELL", "curl -fsS http://localhost:8080/ || exit 1"},
			info:    probeTestC + ".livenessProbe.httpGet.port",
		},
		{
			name:    "httpGet unknown port name",
			handler: probeTestHTTP(intstr.FromString("metrics"), "/").ProbeHandler,
			errPath: probeTestC + ".livenessProbe.httpGet.port",
		},
		{
			name:    "httpGet port out of range",
			handler: probeTestHTTP(intstr.FromInt32(70000), "/").ProbeHandler,
			errPath: probeTestC + ".livenessProbe.httpGet.port",
		},
		{
			name: "httpGet https with headers quoted for sh",
			handler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Port: intstr.FromInt32(8443), Path: "/status", Scheme: corev1.URISchemeHTTPS,
				HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Note", Value: "it's"}, {Name: "X-Empty"}},
			}},
			want: []string{"CMD-SHELL", `curl -fsS -k -H 'X-Note: it'\''s' -H 'X-Empty;' https://localhost:8443/status || exit 1`},
		},
		{
			name: "httpGet host and h2c",
			handler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Port: intstr.FromInt32(8080), Host: "::1", Protocol: &h2,
			}},
			want: []string{"CMD-SHELL", "curl -fsS --http2-prior-knowledge 'http://[::1]:8080/' || exit 1"},
			info: probeTestC + ".livenessProbe.httpGet.host",
		},
		{
			name:    "httpGet unknown scheme",
			handler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80), Scheme: "FTP"}},
			errPath: probeTestC + ".livenessProbe.httpGet.scheme",
		},
		{
			name:    "tcpSocket",
			handler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}},
			want:    []string{"CMD-SHELL", "nc -z localhost 5432 || exit 1"},
			info:    probeTestC + ".livenessProbe.tcpSocket",
		},
		{
			name:    "tcpSocket named port with host",
			handler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http"), Host: "db.internal"}},
			want:    []string{"CMD-SHELL", "nc -z db.internal 8080 || exit 1"},
		},
		{
			name:    "grpc",
			handler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 50051}},
			want:    []string{"CMD", "grpc_health_probe", "-addr=localhost:50051"},
			info:    probeTestC + ".livenessProbe.grpc",
		},
		{
			name:    "grpc service and TLS",
			handler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 50051, Service: aws.String("orders"), Mode: &tls}},
			want:    []string{"CMD", "grpc_health_probe", "-addr=localhost:50051", "-service=orders", "-tls", "-tls-no-verify"},
		},
		{
			name:    "grpc empty service and plaintext add nothing",
			handler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 50051, Service: aws.String(""), Mode: &plain}},
			want:    []string{"CMD", "grpc_health_probe", "-addr=localhost:50051"},
		},
		{
			name:    "no handler",
			handler: corev1.ProbeHandler{},
			errPath: probeTestC + ".livenessProbe",
		},
		{
			name: "two handlers",
			handler: corev1.ProbeHandler{
				Exec:      &corev1.ExecAction{Command: []string{"true"}},
				TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(1)},
			},
			errPath: probeTestC + ".livenessProbe",
		},
		{
			name:    "exec without command",
			handler: corev1.ProbeHandler{Exec: &corev1.ExecAction{}},
			errPath: probeTestC + ".livenessProbe.exec.command",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, fs := HealthCheckFromProbes(&corev1.Probe{ProbeHandler: tt.handler}, nil, nil, ports, probeTestC)
			if tt.errPath != "" {
				assert.Nil(t, hc)
				assert.True(t, fs.HasErrors())
				probeTestLevel(t, fs, tt.errPath, Error)
				return
			}
			require.NotNil(t, hc)
			assert.False(t, fs.HasErrors(), "%v", fs)
			assert.Equal(t, tt.want, hc.Command)
			if tt.info != "" {
				probeTestLevel(t, fs, tt.info, Info)
			}
		})
	}
}

func TestHealthCheckFromProbesTimings(t *testing.T) {
	lp := probeTestC + ".livenessProbe."
	tests := []struct {
		name   string
		probe  corev1.Probe
		want   [4]int32 // interval, timeout, retries, startPeriod
		level  Level    // level of the single expected finding at path, besides the curl/timeout ones
		path   string
		substr string
	}{
		{name: "Kubernetes defaults", want: [4]int32{10, 2, 3, 0}, level: Info, path: lp + "timeoutSeconds", substr: "default 1"},
		{name: "lower bounds kept", probe: corev1.Probe{PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 1}, want: [4]int32{5, 2, 1, 0}},
		{name: "upper bounds kept", probe: corev1.Probe{PeriodSeconds: 300, TimeoutSeconds: 60, FailureThreshold: 10, InitialDelaySeconds: 300}, want: [4]int32{300, 60, 10, 300}},
		{name: "period below 5", probe: corev1.Probe{PeriodSeconds: 4, TimeoutSeconds: 2}, want: [4]int32{5, 2, 3, 0}, level: Lossy, path: lp + "periodSeconds", substr: "set to 5"},
		{name: "period above 300", probe: corev1.Probe{PeriodSeconds: 301, TimeoutSeconds: 2}, want: [4]int32{300, 2, 3, 0}, level: Lossy, path: lp + "periodSeconds", substr: "301"},
		{name: "user timeout 1", probe: corev1.Probe{TimeoutSeconds: 1}, want: [4]int32{10, 2, 3, 0}, level: Lossy, path: lp + "timeoutSeconds", substr: "1 is outside"},
		{name: "timeout above 60", probe: corev1.Probe{TimeoutSeconds: 61}, want: [4]int32{10, 60, 3, 0}, level: Lossy, path: lp + "timeoutSeconds", substr: "set to 60"},
		{name: "failureThreshold above 10", probe: corev1.Probe{TimeoutSeconds: 2, FailureThreshold: 11}, want: [4]int32{10, 2, 10, 0}, level: Lossy, path: lp + "failureThreshold", substr: "set to 10"},
		{name: "initialDelay above 300", probe: corev1.Probe{TimeoutSeconds: 2, InitialDelaySeconds: 301}, want: [4]int32{10, 2, 3, 300}, level: Lossy, path: lp + "initialDelaySeconds", substr: "301"},
		{name: "negative initialDelay", probe: corev1.Probe{TimeoutSeconds: 2, InitialDelaySeconds: -1}, want: [4]int32{10, 2, 3, 0}, level: Lossy, path: lp + "initialDelaySeconds", substr: "set to 0"},
		{name: "successThreshold above 1", probe: corev1.Probe{TimeoutSeconds: 2, SuccessThreshold: 2}, want: [4]int32{10, 2, 3, 0}, level: Lossy, path: lp + "successThreshold", substr: "2"},
		{name: "successThreshold 1", probe: corev1.Probe{TimeoutSeconds: 2, SuccessThreshold: 1}, want: [4]int32{10, 2, 3, 0}},
		{name: "probe grace period", probe: corev1.Probe{TimeoutSeconds: 2, TerminationGracePeriodSeconds: aws.Int64(5)}, want: [4]int32{10, 2, 3, 0}, level: Unsupported, path: lp + "terminationGracePeriodSeconds", substr: "stopTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.probe
			p.Exec = &corev1.ExecAction{Command: []string{"true"}}
			hc, fs := HealthCheckFromProbes(&p, nil, nil, nil, probeTestC)
			require.NotNil(t, hc)
			got := [4]int32{aws.ToInt32(hc.Interval), aws.ToInt32(hc.Timeout), aws.ToInt32(hc.Retries), aws.ToInt32(hc.StartPeriod)}
			assert.Equal(t, tt.want, got)
			for _, ptr := range []*int32{hc.Interval, hc.Timeout, hc.Retries, hc.StartPeriod} {
				assert.NotNil(t, ptr, "every timing is written explicitly")
			}
			if tt.path == "" {
				assert.Empty(t, fs)
				return
			}
			require.Len(t, fs, 1, "%v", fs)
			f := probeTestLevel(t, fs, tt.path, tt.level)
			assert.Contains(t, f.Message, tt.substr)
		})
	}
}

func TestHealthCheckFromProbesChoice(t *testing.T) {
	exec := func(cmd string, delay, failure, period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:        corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{cmd}}},
			InitialDelaySeconds: delay, FailureThreshold: failure, PeriodSeconds: period, TimeoutSeconds: 2,
		}
	}
	t.Run("no probes", func(t *testing.T) {
		hc, fs := HealthCheckFromProbes(nil, nil, nil, nil, probeTestC)
		assert.Nil(t, hc)
		assert.Nil(t, fs)
	})
	t.Run("liveness wins, readiness dropped", func(t *testing.T) {
		hc, fs := HealthCheckFromProbes(exec("live", 0, 0, 0), exec("ready", 0, 0, 0), nil, nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, []string{"CMD", "live"}, hc.Command)
		f := probeTestLevel(t, fs, probeTestC+".readinessProbe", Lossy)
		assert.Contains(t, f.Message, "dropped")
	})
	t.Run("readiness is the fallback", func(t *testing.T) {
		hc, fs := HealthCheckFromProbes(nil, exec("ready", 0, 0, 0), nil, nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, []string{"CMD", "ready"}, hc.Command)
		probeTestLevel(t, fs, probeTestC+".readinessProbe", Lossy)
	})
	t.Run("readiness findings use its own path", func(t *testing.T) {
		_, fs := HealthCheckFromProbes(nil, &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}}, PeriodSeconds: 1, TimeoutSeconds: 2,
		}, nil, nil, probeTestC)
		probeTestLevel(t, fs, probeTestC+".readinessProbe.periodSeconds", Lossy)
	})
	t.Run("startup alone becomes the check", func(t *testing.T) {
		hc, fs := HealthCheckFromProbes(nil, nil, exec("start", 7, 4, 6), nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, []string{"CMD", "start"}, hc.Command)
		assert.Equal(t, int32(7), aws.ToInt32(hc.StartPeriod), "its own timings, no window folded")
		assert.Equal(t, int32(4), aws.ToInt32(hc.Retries))
		probeTestLevel(t, fs, probeTestC+".startupProbe", Lossy)
	})
	t.Run("startup window folded, same handler", func(t *testing.T) {
		hc, fs := HealthCheckFromProbes(exec("live", 5, 0, 0), nil, exec("live", 2, 12, 10), nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, int32(5+2+12*10), aws.ToInt32(hc.StartPeriod))
		f := probeTestLevel(t, fs, probeTestC+".startupProbe", Info)
		assert.Contains(t, f.Message, "122 s")
	})
	t.Run("startup defaults give a 30 s window", func(t *testing.T) {
		startup := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}}}
		hc, fs := HealthCheckFromProbes(exec("live", 0, 0, 0), nil, startup, nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, int32(30), aws.ToInt32(hc.StartPeriod))
		f := probeTestLevel(t, fs, probeTestC+".startupProbe", Lossy)
		assert.Contains(t, f.Message, "not run")
	})
	t.Run("startup window clamped to 300", func(t *testing.T) {
		startup := exec("live", 0, 30, 10)
		startup.TerminationGracePeriodSeconds = aws.Int64(3)
		hc, fs := HealthCheckFromProbes(exec("live", 5, 0, 0), nil, startup, nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, int32(300), aws.ToInt32(hc.StartPeriod))
		got := probeTestFinding(fs, probeTestC+".startupProbe")
		require.Len(t, got, 2, "%v", fs)
		assert.Equal(t, Info, got[0].Level)
		assert.Equal(t, Lossy, got[1].Level)
		assert.Contains(t, got[1].Message, "305")
		probeTestLevel(t, fs, probeTestC+".startupProbe.terminationGracePeriodSeconds", Unsupported)
	})
	t.Run("large startup values do not overflow", func(t *testing.T) {
		hc, _ := HealthCheckFromProbes(exec("live", 0, 0, 0), nil, exec("live", 0, 1<<30, 1<<30), nil, probeTestC)
		require.NotNil(t, hc)
		assert.Equal(t, int32(300), aws.ToInt32(hc.StartPeriod))
	})
}

func TestProbeFromHealthCheck(t *testing.T) {
	const cd = "containerDefinitions[0]"
	tls := corev1.GRPCProbeModeTLS
	h2 := corev1.HTTPProtocolHTTP2
	full := func(cmd ...string) *types.HealthCheck {
		return &types.HealthCheck{Command: cmd, Interval: aws.Int32(10), Timeout: aws.Int32(2), Retries: aws.Int32(3), StartPeriod: aws.Int32(0)}
	}
	tests := []struct {
		name string
		hc   *types.HealthCheck
		want corev1.ProbeHandler
		nil  bool
		err  bool
	}{
		{name: "nil", hc: nil, nil: true},
		{name: "empty command", hc: &types.HealthCheck{}, nil: true},
		{name: "NONE", hc: full("NONE"), nil: true},
		{name: "CMD alone", hc: full("CMD"), err: true},
		{name: "no CMD prefix", hc: full("curl", "-f", "http://localhost/"), err: true},
		{name: "CMD becomes exec", hc: full("CMD", "/bin/check", "--fast"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/check", "--fast"}}}},
		{name: "CMD-SHELL other runs under sh", hc: full("CMD-SHELL", "curl -f http://localhost/ || exit 1"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"}}}},
		{name: "curl with a variable is not parsed", hc: full("CMD-SHELL", "curl -fsS http://localhost:$PORT/ || exit 1"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -fsS http://localhost:$PORT/ || exit 1"}}}},
		{name: "curl without exit is not parsed", hc: full("CMD-SHELL", "curl -fsS http://localhost:80/"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -fsS http://localhost:80/"}}}},
		{
			name: "curl http",
			hc:   full("CMD-SHELL", "curl -fsS http://localhost:8080/healthz || exit 1"),
			want: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}},
		},
		{
			name: "curl https, headers, host, h2c, double quotes",
			hc:   full("CMD-SHELL", `curl -fsS -k --http2-prior-knowledge -H "Host: example.com" -H 'X-A: it'\''s' -H X-Empty\; 'https://[::1]:8443/a?b=1' || exit 1`),
			want: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/a?b=1", Port: intstr.FromInt32(8443), Host: "::1", Scheme: corev1.URISchemeHTTPS, Protocol: &h2,
				HTTPHeaders: []corev1.HTTPHeader{{Name: "Host", Value: "example.com"}, {Name: "X-A", Value: "it's"}, {Name: "X-Empty"}},
			}},
		},
		{
			name: "curl query without path",
			hc:   full("CMD-SHELL", "curl -fsS 'http://localhost:80?x=1' || exit 1"),
			want: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/?x=1", Port: intstr.FromInt32(80), Scheme: corev1.URISchemeHTTP}},
		},
		{name: "curl without port is not parsed", hc: full("CMD-SHELL", "curl -fsS http://localhost/ || exit 1"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -fsS http://localhost/ || exit 1"}}}},
		{name: "curl with other flags is not parsed", hc: full("CMD-SHELL", "curl -fsS -L http://localhost:80/ || exit 1"), want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -fsS -L http://localhost:80/ || exit 1"}}}},
		{
			name: "nc",
			hc:   full("CMD-SHELL", "nc -z localhost 5432 || exit 1"),
			want: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}},
		},
		{
			name: "nc other host",
			hc:   full("CMD-SHELL", "nc -z db 5432 || exit 1"),
			want: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432), Host: "db"}},
		},
		{
			name: "grpc_health_probe",
			hc:   full("CMD", "grpc_health_probe", "-addr=localhost:50051", "-service=orders", "-tls", "-tls-no-verify"),
			want: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 50051, Service: aws.String("orders"), Mode: &tls}},
		},
		{
			name: "grpc_health_probe verifying TLS stays exec",
			hc:   full("CMD", "grpc_health_probe", "-addr=localhost:50051", "-tls"),
			want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"grpc_health_probe", "-addr=localhost:50051", "-tls"}}},
		},
		{
			name: "grpc_health_probe other host stays exec",
			hc:   full("CMD", "grpc_health_probe", "-addr=10.0.0.1:50051"),
			want: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"grpc_health_probe", "-addr=10.0.0.1:50051"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, fs := ProbeFromHealthCheck(tt.hc, cd)
			switch {
			case tt.nil:
				assert.Nil(t, p)
				assert.Empty(t, fs)
			case tt.err:
				assert.Nil(t, p)
				probeTestLevel(t, fs, cd+".healthCheck.command", Error)
			default:
				require.NotNil(t, p)
				assert.Empty(t, fs)
				assert.Equal(t, tt.want, p.ProbeHandler)
			}
		})
	}
}

func TestProbeFromHealthCheckTimings(t *testing.T) {
	const cd = "containerDefinitions[1]"
	cmd := []string{"CMD", "true"}
	t.Run("ECS defaults when unset", func(t *testing.T) {
		p, fs := ProbeFromHealthCheck(&types.HealthCheck{Command: cmd}, cd)
		require.NotNil(t, p)
		assert.Empty(t, fs)
		assert.Equal(t, [5]int32{30, 5, 3, 0, 1}, [5]int32{p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold, p.InitialDelaySeconds, p.SuccessThreshold})
	})
	t.Run("values carried over", func(t *testing.T) {
		p, fs := ProbeFromHealthCheck(&types.HealthCheck{Command: cmd, Interval: aws.Int32(7), Timeout: aws.Int32(4), Retries: aws.Int32(9), StartPeriod: aws.Int32(60)}, cd)
		require.NotNil(t, p)
		assert.Equal(t, [4]int32{7, 4, 9, 60}, [4]int32{p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold, p.InitialDelaySeconds})
		probeTestLevel(t, fs, cd+".healthCheck.startPeriod", Info)
	})
	t.Run("values below the Kubernetes minimum", func(t *testing.T) {
		p, fs := ProbeFromHealthCheck(&types.HealthCheck{Command: cmd, Interval: aws.Int32(0), Timeout: aws.Int32(-1), Retries: aws.Int32(0), StartPeriod: aws.Int32(-5)}, cd)
		require.NotNil(t, p)
		assert.Equal(t, [4]int32{1, 1, 1, 0}, [4]int32{p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold, p.InitialDelaySeconds})
		for _, f := range []string{"interval", "timeout", "retries", "startPeriod"} {
			probeTestLevel(t, fs, cd+".healthCheck."+f, Lossy)
		}
	})
}

func TestHealthCheckCommandPort(t *testing.T) {
	tests := []struct {
		name string
		cmd  []string
		port int
		ok   bool
	}{
		{"curl", []string{"CMD-SHELL", "curl -fsS http://localhost:8080/ || exit 1"}, 8080, true},
		{"curl other host", []string{"CMD-SHELL", "curl -fsS http://example.com:8080/ || exit 1"}, 0, false},
		{"nc", []string{"CMD-SHELL", "nc -z localhost 6379 || exit 1"}, 6379, true},
		{"grpc", []string{"CMD", "grpc_health_probe", "-addr=localhost:50051"}, 50051, true},
		{"exec", []string{"CMD", "pg_isready"}, 0, false},
		{"shell", []string{"CMD-SHELL", "pg_isready -p 5432"}, 0, false},
		{"empty", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, ok := HealthCheckCommandPort(tt.cmd)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.port, port)
		})
	}
}

func TestHcShellSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"a b  c", []string{"a", "b", "c"}, true},
		{`'a b' "c d" e\ f`, []string{"a b", "c d", "e f"}, true},
		{`'it'\''s'`, []string{"it's"}, true},
		{`'' x`, []string{"", "x"}, true},
		{"a$b", nil, false},
		{`"a$b"`, nil, false},
		{"a;b", nil, false},
		{"a | b", nil, false},
		{"'open", nil, false},
		{`trailing\`, nil, false},
		{"*", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := hcShellSplit(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// probeTestDefaults applies the Kubernetes defaults that the reverse mapping writes explicitly.
func probeTestDefaults(p *corev1.Probe) *corev1.Probe {
	p = p.DeepCopy()
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if g := p.HTTPGet; g != nil {
		if g.Path == "" {
			g.Path = "/"
		}
		if g.Scheme == "" {
			g.Scheme = corev1.URISchemeHTTP
		}
		if g.Protocol != nil && *g.Protocol == corev1.HTTPProtocolHTTP1 {
			g.Protocol = nil
		}
	}
	if g := p.GRPC; g != nil {
		if g.Service != nil && *g.Service == "" {
			g.Service = nil
		}
		if g.Mode != nil && *g.Mode == corev1.GRPCProbeModePlaintext {
			g.Mode = nil
		}
	}
	return p
}

func probeTestRandom(r *rand.Rand) *corev1.Probe {
	words := []string{"", "/", "healthz", "a b", "it's", `q"uote`, "$HOME", "x;y", "ü", "&", "*"}
	word := func() string { return words[r.IntN(len(words))] }
	p := &corev1.Probe{
		PeriodSeconds:       int32(5 + r.IntN(296)),
		TimeoutSeconds:      int32(2 + r.IntN(59)),
		FailureThreshold:    int32(1 + r.IntN(10)),
		InitialDelaySeconds: int32(r.IntN(301)),
		SuccessThreshold:    int32(r.IntN(2)),
	}
	port := int32(1 + r.IntN(65535))
	switch r.IntN(4) {
	case 0:
		cmd := []string{"/bin/check"}
		for range r.IntN(3) {
			cmd = append(cmd, word())
		}
		p.Exec = &corev1.ExecAction{Command: cmd}
	case 1:
		g := &corev1.HTTPGetAction{Port: intstr.FromInt32(port), Path: []string{"", "/", "/healthz", "/a b?c='d'&e=$f"}[r.IntN(4)]}
		g.Scheme = []corev1.URIScheme{"", corev1.URISchemeHTTP, corev1.URISchemeHTTPS}[r.IntN(3)]
		g.Host = []string{"", "example.com", "10.0.0.1", "::1"}[r.IntN(4)]
		if r.IntN(3) == 0 {
			proto := []corev1.HTTPProtocol{corev1.HTTPProtocolHTTP1, corev1.HTTPProtocolHTTP2}[r.IntN(2)]
			g.Protocol = &proto
		}
		for range r.IntN(3) {
			g.HTTPHeaders = append(g.HTTPHeaders, corev1.HTTPHeader{Name: []string{"X-A", "Host", "Authorization"}[r.IntN(3)], Value: strings.TrimSpace(word())})
		}
		p.HTTPGet = g
	case 2:
		p.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(port), Host: []string{"", "db.internal"}[r.IntN(2)]}
	default:
		g := &corev1.GRPCAction{Port: port}
		if r.IntN(2) == 0 {
			g.Service = aws.String([]string{"", "orders", "pkg.Svc"}[r.IntN(3)])
		}
		if r.IntN(2) == 0 {
			mode := []corev1.GRPCProbeMode{corev1.GRPCProbeModeTLS, corev1.GRPCProbeModePlaintext}[r.IntN(2)]
			g.Mode = &mode
		}
		p.GRPC = g
	}
	return p
}

// Probes whose timings lie inside the ECS ranges survive probe -> healthCheck -> probe unchanged,
// up to the Kubernetes defaults.
func TestProbeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		in := probeTestRandom(r)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			hc, fs := HealthCheckFromProbes(in, nil, nil, nil, probeTestC)
			require.NotNil(t, hc, "%v", fs)
			for _, f := range fs {
				assert.Equal(t, Info, f.Level, "in-range probe raised %v", f)
			}
			out, _ := ProbeFromHealthCheck(hc, "containerDefinitions[0]")
			require.NotNil(t, out)
			assert.Equal(t, probeTestDefaults(in), out, "command %q", hc.Command)
		})
	}
}

// A health check written by HealthCheckFromProbes reads back to an equal check.
func TestHealthCheckRoundTrip(t *testing.T) {
	checks := []*types.HealthCheck{
		{Command: []string{"CMD", "/bin/check", "a b"}, Interval: aws.Int32(5), Timeout: aws.Int32(60), Retries: aws.Int32(10), StartPeriod: aws.Int32(300)},
		{Command: []string{"CMD-SHELL", "curl -fsS -k -H 'X-A: b' https://localhost:443/ || exit 1"}, Interval: aws.Int32(30), Timeout: aws.Int32(5), Retries: aws.Int32(3), StartPeriod: aws.Int32(0)},
		{Command: []string{"CMD-SHELL", "nc -z localhost 22 || exit 1"}, Interval: aws.Int32(300), Timeout: aws.Int32(2), Retries: aws.Int32(1), StartPeriod: aws.Int32(10)},
		{Command: []string{"CMD", "grpc_health_probe", "-addr=localhost:1", "-service=x"}, Interval: aws.Int32(6), Timeout: aws.Int32(3), Retries: aws.Int32(2), StartPeriod: aws.Int32(1)},
	}
	for _, hc := range checks {
		t.Run(strings.Join(hc.Command, " "), func(t *testing.T) {
			p, _ := ProbeFromHealthCheck(hc, "containerDefinitions[0]")
			require.NotNil(t, p)
			back, fs := HealthCheckFromProbes(p, nil, nil, nil, probeTestC)
			assert.False(t, fs.HasErrors())
			assert.Equal(t, hc, back)
		})
	}
}

// Whatever CMD-SHELL string is read as httpGet or tcpSocket is written back to a command that reads
// as the same handler.
func FuzzShellCheck(f *testing.F) {
	for _, s := range []string{
		"curl -fsS http://localhost:8080/healthz || exit 1",
		`curl -fsS -k -H 'X-A: it'\''s' -H "X-B;" 'https://[::1]:8443/a?b' || exit 1`,
		"curl -fsS --http2-prior-knowledge http://h:1 || exit 1",
		"nc -z localhost 5432 || exit 1",
		"nc -z '' 1 || exit 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, ok := parseShellCheck(s)
		if !ok {
			return
		}
		var fs Findings
		cmd, ok := probeCommand(h, nil, "p", &fs)
		require.True(t, ok, "%q parsed to %+v but does not convert back: %v", s, h, fs)
		back, ok := handlerFromCommand(cmd)
		require.True(t, ok)
		assert.Equal(t, h, back, "%q -> %q", s, cmd)
	})
}
