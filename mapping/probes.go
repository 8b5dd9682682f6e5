package mapping

import (
	"net"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ECS keeps one healthCheck per container: a command whose exit status 0 means healthy, run inside
// the container every interval seconds. Kubernetes has up to three probes per container, run by the
// kubelet from outside the container. The rules below pick one probe, turn its handler into a command
// and fit its timings into the ECS ranges.

// ECS healthCheck ranges and defaults (botocore HealthCheck shape).
const (
	HealthCheckIntervalMin, HealthCheckIntervalMax, HealthCheckIntervalDefault = 5, 300, 30
	HealthCheckTimeoutMin, HealthCheckTimeoutMax, HealthCheckTimeoutDefault    = 2, 60, 5
	HealthCheckRetriesMin, HealthCheckRetriesMax, HealthCheckRetriesDefault    = 1, 10, 3
	HealthCheckStartPeriodMin, HealthCheckStartPeriodMax                       = 0, 300
)

// Kubernetes probe defaults (core/v1 Probe) used when a field is zero.
const (
	ProbeDefaultPeriodSeconds    = 10
	ProbeDefaultTimeoutSeconds   = 1
	ProbeDefaultFailureThreshold = 3
	ProbeDefaultSuccessThreshold = 1
)

const (
	hcCmd         = "CMD"
	hcCmdShell    = "CMD-SHELL"
	hcNone        = "NONE"
	hcShellSuffix = " || exit 1"
	hcLocalhost   = "localhost"
	hcGRPCProbe   = "grpc_health_probe"
	hcCurlFlags   = "-fsS"
	hcCurlH2C     = "--http2-prior-knowledge"
)

// HealthCheckFromProbes builds the ECS container healthCheck from a container's probes; path is the
// container's path, e.g. spec.containers[0]. ECS runs a single check per container and replaces the
// task when it fails, which is liveness semantics: the liveness probe wins, the readiness probe is the
// fallback (traffic gating belongs to the load balancer target group health check), and a startup
// probe's window is folded into startPeriod, during which ECS ignores failures. All four timing fields
// are always set so the output does not depend on ECS defaults. A nil check with no findings means the
// container has no probes.
func HealthCheckFromProbes(liveness, readiness, startup *corev1.Probe, ports []corev1.ContainerPort, path string) (*types.HealthCheck, Findings) {
	var fs Findings
	probe, field := liveness, "livenessProbe"
	switch {
	case liveness != nil:
		if readiness != nil {
			fs.Add(Join(path, "readinessProbe"), Lossy, "dropped: ECS runs one health check per container and the liveness probe was kept; gate traffic with the load balancer target group health check instead")
		}
	case readiness != nil:
		probe, field = readiness, "readinessProbe"
		fs.Add(Join(path, "readinessProbe"), Lossy, "used as the ECS health check: a failing check replaces the task, while a failing readiness probe only stops traffic; gate traffic with the load balancer target group health check")
	case startup != nil:
		probe, field, startup = startup, "startupProbe", nil
		fs.Add(Join(path, "startupProbe"), Lossy, "used as the ECS health check: ECS keeps running it after the container started, a startup probe stops at its first success")
	default:
		return nil, nil
	}
	probePath := Join(path, field)
	cmd, ok := probeCommand(probe.ProbeHandler, ports, probePath, &fs)
	if !ok {
		return nil, fs
	}
	hc := &types.HealthCheck{Command: cmd}
	hc.Interval = aws.Int32(probeTiming(&fs, Join(probePath, "periodSeconds"), probe.PeriodSeconds, ProbeDefaultPeriodSeconds, HealthCheckIntervalMin, HealthCheckIntervalMax, "interval"))
	hc.Timeout = aws.Int32(probeTiming(&fs, Join(probePath, "timeoutSeconds"), probe.TimeoutSeconds, ProbeDefaultTimeoutSeconds, HealthCheckTimeoutMin, HealthCheckTimeoutMax, "timeout"))
	hc.Retries = aws.Int32(probeTiming(&fs, Join(probePath, "failureThreshold"), probe.FailureThreshold, ProbeDefaultFailureThreshold, HealthCheckRetriesMin, HealthCheckRetriesMax, "retries"))
	hc.StartPeriod = aws.Int32(probeStartPeriod(&fs, probe, startup, probePath, Join(path, "startupProbe")))
	if probe.SuccessThreshold > 1 {
		fs.Add(Join(probePath, "successThreshold"), Lossy, "ECS counts a container healthy after one successful check; successThreshold %d is lost", probe.SuccessThreshold)
	}
	probeGracePeriod(&fs, probe, probePath)
	return hc, fs
}

// probeTiming fits one probe timing into an ECS range. A clamped Kubernetes default is Info, a
// clamped value the user wrote is Lossy.
func probeTiming(fs *Findings, fieldPath string, v, def int32, lo, hi int64, ecsField string) int32 {
	if v == 0 {
		out := probeClamp(int64(def), lo, hi)
		if out != int64(def) {
			fs.Add(fieldPath, Info, "Kubernetes default %d is outside the ECS healthCheck.%s range %d-%d; set to %d", def, ecsField, lo, hi, out)
		}
		return int32(out)
	}
	out := probeClamp(int64(v), lo, hi)
	if out != int64(v) {
		fs.Add(fieldPath, Lossy, "%d is outside the ECS healthCheck.%s range %d-%d; set to %d", v, ecsField, lo, hi, out)
	}
	return int32(out)
}

// probeStartPeriod folds initialDelaySeconds and the startup probe's window
// (initialDelaySeconds + failureThreshold x periodSeconds) into startPeriod: ECS ignores failures
// during the start period and counts the container healthy on its first success, as a startup probe does.
func probeStartPeriod(fs *Findings, probe, startup *corev1.Probe, probePath, startupPath string) int32 {
	v := int64(probe.InitialDelaySeconds)
	src := Join(probePath, "initialDelaySeconds")
	if startup != nil {
		window := int64(startup.InitialDelaySeconds) +
			int64(probeOr(startup.FailureThreshold, ProbeDefaultFailureThreshold))*int64(probeOr(startup.PeriodSeconds, ProbeDefaultPeriodSeconds))
		v += window
		src = startupPath
		level, extra := Info, ""
		if !reflect.DeepEqual(startup.ProbeHandler, probe.ProbeHandler) {
			level, extra = Lossy, "; its own check differs from the health check and is not run"
		}
		fs.Add(startupPath, level, "folded into healthCheck.startPeriod: startup window %d s (initialDelaySeconds + failureThreshold x periodSeconds) added to initialDelaySeconds %d%s", window, probe.InitialDelaySeconds, extra)
		probeGracePeriod(fs, startup, startupPath)
	}
	out := probeClamp(v, HealthCheckStartPeriodMin, HealthCheckStartPeriodMax)
	if out != v {
		fs.Add(src, Lossy, "start delay %d s is outside the ECS healthCheck.startPeriod range %d-%d; set to %d", v, HealthCheckStartPeriodMin, HealthCheckStartPeriodMax, out)
	}
	return int32(out)
}

func probeGracePeriod(fs *Findings, probe *corev1.Probe, probePath string) {
	if probe.TerminationGracePeriodSeconds != nil {
		fs.Add(Join(probePath, "terminationGracePeriodSeconds"), Unsupported, "ECS has no per-check grace period; the container's stopTimeout applies when an unhealthy task is stopped")
	}
}

func probeOr(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

func probeClamp(v, lo, hi int64) int64 {
	return min(max(v, lo), hi)
}

// probeCommand turns a probe handler into an ECS healthCheck command.
func probeCommand(h corev1.ProbeHandler, ports []corev1.ContainerPort, probePath string, fs *Findings) ([]string, bool) {
	n := 0
	for _, set := range []bool{h.Exec != nil, h.HTTPGet != nil, h.TCPSocket != nil, h.GRPC != nil} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		fs.Add(probePath, Error, "probe has no handler (exec, httpGet, tcpSocket or grpc)")
		return nil, false
	case n > 1:
		fs.Add(probePath, Error, "probe has %d handlers; Kubernetes allows exactly one", n)
		return nil, false
	case h.Exec != nil:
		if len(h.Exec.Command) == 0 {
			fs.Add(Join(probePath, "exec.command"), Error, "exec probe has an empty command")
			return nil, false
		}
		return append([]string{hcCmd}, h.Exec.Command...), true
	case h.HTTPGet != nil:
		return probeHTTPCommand(h.HTTPGet, ports, Join(probePath, "httpGet"), fs)
	case h.TCPSocket != nil:
		port, ok := probePort(h.TCPSocket.Port, ports, Join(probePath, "tcpSocket.port"), fs)
		if !ok {
			return nil, false
		}
		fs.Add(Join(probePath, "tcpSocket"), Info, "ECS runs the check inside the container: the image must provide nc")
		s := "nc -z " + hcShellQuote(probeHost(h.TCPSocket.Host)) + " " + strconv.Itoa(int(port)) + hcShellSuffix
		return []string{hcCmdShell, s}, true
	default:
		return probeGRPCCommand(h.GRPC, Join(probePath, "grpc"), fs)
	}
}

// probeHTTPCommand runs curl inside the container. -f fails on HTTP status >= 400 as the kubelet
// does; -k because the kubelet does not verify certificates either (and they would not match localhost).
func probeHTTPCommand(g *corev1.HTTPGetAction, ports []corev1.ContainerPort, gPath string, fs *Findings) ([]string, bool) {
	port, ok := probePort(g.Port, ports, Join(gPath, "port"), fs)
	if !ok {
		return nil, false
	}
	scheme := "http"
	switch strings.ToUpper(string(g.Scheme)) {
	case "", string(corev1.URISchemeHTTP):
	case string(corev1.URISchemeHTTPS):
		scheme = "https"
	default:
		fs.Add(Join(gPath, "scheme"), Error, "scheme %q is neither HTTP nor HTTPS", g.Scheme)
		return nil, false
	}
	words := []string{"curl", hcCurlFlags}
	if scheme == "https" {
		words = append(words, "-k")
	}
	if g.Protocol != nil && *g.Protocol == corev1.HTTPProtocolHTTP2 {
		words = append(words, hcCurlH2C)
	}
	for _, h := range g.HTTPHeaders {
		hdr := h.Name + ": " + h.Value
		if h.Value == "" {
			hdr = h.Name + ";" // curl sends "Name:" with an empty value only in this form
		}
		words = append(words, "-H", hdr)
	}
	urlPath := g.Path
	if !strings.HasPrefix(urlPath, "/") {
		urlPath = "/" + urlPath
	}
	words = append(words, scheme+"://"+net.JoinHostPort(probeHost(g.Host), strconv.Itoa(int(port)))+urlPath)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = hcShellQuote(w)
	}
	if g.Host != "" {
		fs.Add(Join(gPath, "host"), Info, "the check runs inside the container; %q must resolve and be reachable from there", g.Host)
	}
	fs.Add(gPath, Info, "ECS runs the check inside the container: the image must provide curl")
	return []string{hcCmdShell, strings.Join(quoted, " ") + hcShellSuffix}, true
}

// probeGRPCCommand uses grpc_health_probe, the exec-probe tool that preceded native gRPC probes.
// Mode TLS means TLS without certificate verification, i.e. -tls -tls-no-verify.
func probeGRPCCommand(g *corev1.GRPCAction, gPath string, fs *Findings) ([]string, bool) {
	if g.Port < 1 || g.Port > 65535 {
		fs.Add(Join(gPath, "port"), Error, "port %d is outside 1-65535", g.Port)
		return nil, false
	}
	cmd := []string{hcCmd, hcGRPCProbe, "-addr=" + net.JoinHostPort(hcLocalhost, strconv.Itoa(int(g.Port)))}
	if g.Service != nil && *g.Service != "" {
		cmd = append(cmd, "-service="+*g.Service)
	}
	if g.Mode != nil && *g.Mode == corev1.GRPCProbeModeTLS {
		cmd = append(cmd, "-tls", "-tls-no-verify")
	}
	fs.Add(gPath, Info, "ECS runs the check inside the container: the image must provide grpc_health_probe on its PATH")
	return cmd, true
}

// probePort resolves a numeric or named probe port against the container's ports.
func probePort(p intstr.IntOrString, ports []corev1.ContainerPort, portPath string, fs *Findings) (int32, bool) {
	if p.Type == intstr.String {
		for _, cp := range ports {
			if cp.Name != "" && cp.Name == p.StrVal {
				fs.Add(portPath, Info, "named port %q resolved to %d", p.StrVal, cp.ContainerPort)
				return cp.ContainerPort, true
			}
		}
		fs.Add(portPath, Error, "port name %q is not declared in the container's ports", p.StrVal)
		return 0, false
	}
	if p.IntVal < 1 || p.IntVal > 65535 {
		fs.Add(portPath, Error, "port %d is outside 1-65535", p.IntVal)
		return 0, false
	}
	return p.IntVal, true
}

// probeHost: Kubernetes defaults the probe host to the pod IP; inside the task that is localhost.
func probeHost(h string) string {
	if h == "" {
		return hcLocalhost
	}
	return h
}

// ProbeFromHealthCheck turns an ECS container healthCheck into a Kubernetes probe; path is the
// container definition's path, e.g. containerDefinitions[0]. The curl, nc and grpc_health_probe
// commands written by HealthCheckFromProbes become httpGet, tcpSocket and grpc probes again; any other
// CMD becomes an exec probe with the same arguments and any other CMD-SHELL runs under /bin/sh -c.
// Unset timings take the ECS defaults (30/5/3/0) so the probe behaves as the check did.
func ProbeFromHealthCheck(hc *types.HealthCheck, path string) (*corev1.Probe, Findings) {
	if hc == nil || len(hc.Command) == 0 || hc.Command[0] == hcNone {
		return nil, nil
	}
	var fs Findings
	hcPath := Join(path, "healthCheck")
	h, ok := handlerFromCommand(hc.Command)
	if !ok {
		fs.Add(Join(hcPath, "command"), Error, "command must start with CMD or CMD-SHELL followed by the command, got %q", hc.Command)
		return nil, fs
	}
	p := &corev1.Probe{
		ProbeHandler:        h,
		PeriodSeconds:       hcTiming(&fs, Join(hcPath, "interval"), hc.Interval, HealthCheckIntervalDefault, 1, "periodSeconds"),
		TimeoutSeconds:      hcTiming(&fs, Join(hcPath, "timeout"), hc.Timeout, HealthCheckTimeoutDefault, 1, "timeoutSeconds"),
		FailureThreshold:    hcTiming(&fs, Join(hcPath, "retries"), hc.Retries, HealthCheckRetriesDefault, 1, "failureThreshold"),
		InitialDelaySeconds: hcTiming(&fs, Join(hcPath, "startPeriod"), hc.StartPeriod, 0, 0, "initialDelaySeconds"),
		SuccessThreshold:    ProbeDefaultSuccessThreshold,
	}
	if p.InitialDelaySeconds > 0 {
		fs.Add(Join(hcPath, "startPeriod"), Info, "ECS runs checks during the start period and ignores their failures; Kubernetes waits initialDelaySeconds before the first probe")
	}
	return p, fs
}

// hcTiming reads one ECS timing, using the ECS default when unset and raising values below the
// Kubernetes minimum (where 0 would silently mean a different default).
func hcTiming(fs *Findings, fieldPath string, v *int32, def, minimum int32, k8sField string) int32 {
	if v == nil {
		return def
	}
	if *v < minimum {
		fs.Add(fieldPath, Lossy, "%d is below the Kubernetes minimum for %s; set to %d", *v, k8sField, minimum)
		return minimum
	}
	return *v
}

// HealthCheckCommandPort returns the container port a health check command probes, for the curl, nc
// and grpc_health_probe forms written by HealthCheckFromProbes against localhost.
func HealthCheckCommandPort(cmd []string) (port int, ok bool) {
	h, ok := handlerFromCommand(cmd)
	switch {
	case !ok:
		return 0, false
	case h.HTTPGet != nil && h.HTTPGet.Host == "":
		return h.HTTPGet.Port.IntValue(), true
	case h.TCPSocket != nil && h.TCPSocket.Host == "":
		return h.TCPSocket.Port.IntValue(), true
	case h.GRPC != nil:
		return int(h.GRPC.Port), true
	}
	return 0, false
}

// handlerFromCommand parses an ECS healthCheck command into a probe handler.
func handlerFromCommand(cmd []string) (corev1.ProbeHandler, bool) {
	if len(cmd) < 2 {
		return corev1.ProbeHandler{}, false
	}
	switch cmd[0] {
	case hcCmd:
		if g, ok := parseGRPCProbe(cmd[1:]); ok {
			return corev1.ProbeHandler{GRPC: g}, true
		}
		return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: append([]string(nil), cmd[1:]...)}}, true
	case hcCmdShell:
		s := strings.Join(cmd[1:], " ")
		if h, ok := parseShellCheck(s); ok {
			return h, true
		}
		return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", s}}}, true
	}
	return corev1.ProbeHandler{}, false
}

func parseGRPCProbe(args []string) (*corev1.GRPCAction, bool) {
	if len(args) < 2 || args[0] != hcGRPCProbe {
		return nil, false
	}
	addr, ok := strings.CutPrefix(args[1], "-addr=")
	if !ok {
		return nil, false
	}
	host, port, ok := hcSplitHostPort(addr)
	if !ok || host != hcLocalhost {
		return nil, false
	}
	g := &corev1.GRPCAction{Port: port}
	rest := args[2:]
	if len(rest) > 0 {
		if svc, ok := strings.CutPrefix(rest[0], "-service="); ok && svc != "" {
			g.Service = &svc
			rest = rest[1:]
		}
	}
	switch {
	case len(rest) == 2 && rest[0] == "-tls" && rest[1] == "-tls-no-verify":
		mode := corev1.GRPCProbeModeTLS
		g.Mode = &mode
	case len(rest) != 0:
		return nil, false
	}
	return g, true
}

// parseShellCheck recognises "curl -fsS [-k] [--http2-prior-knowledge] [-H hdr]... URL || exit 1"
// and "nc -z HOST PORT || exit 1".
func parseShellCheck(s string) (corev1.ProbeHandler, bool) {
	body, ok := strings.CutSuffix(strings.TrimSpace(s), hcShellSuffix)
	if !ok {
		return corev1.ProbeHandler{}, false
	}
	words, ok := hcShellSplit(body)
	if !ok || len(words) < 2 {
		return corev1.ProbeHandler{}, false
	}
	switch {
	case words[0] == "nc" && words[1] == "-z" && len(words) == 4:
		port, err := strconv.ParseInt(words[3], 10, 32)
		if err != nil || port < 1 || port > 65535 || words[2] == "" {
			return corev1.ProbeHandler{}, false
		}
		return corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(int32(port)), Host: hcHostBack(words[2])}}, true
	case words[0] == "curl" && words[1] == hcCurlFlags:
		g, ok := parseCurl(words[2:])
		return corev1.ProbeHandler{HTTPGet: g}, ok
	}
	return corev1.ProbeHandler{}, false
}

func parseCurl(args []string) (*corev1.HTTPGetAction, bool) {
	if len(args) == 0 {
		return nil, false
	}
	g := &corev1.HTTPGetAction{}
	insecure := false
	for i := 0; i < len(args)-1; i++ {
		switch args[i] {
		case "-k":
			if insecure {
				return nil, false
			}
			insecure = true
		case hcCurlH2C:
			if g.Protocol != nil {
				return nil, false
			}
			proto := corev1.HTTPProtocolHTTP2
			g.Protocol = &proto
		case "-H":
			if i+1 >= len(args)-1 {
				return nil, false
			}
			i++
			h, ok := parseCurlHeader(args[i])
			if !ok {
				return nil, false
			}
			g.HTTPHeaders = append(g.HTTPHeaders, h)
		default:
			return nil, false
		}
	}
	u := args[len(args)-1]
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return nil, false
	}
	switch scheme {
	case "http":
		g.Scheme = corev1.URISchemeHTTP
	case "https":
		g.Scheme = corev1.URISchemeHTTPS
	default:
		return nil, false
	}
	hostport, p := rest, "/"
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostport, p = rest[:i], rest[i:]
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
	}
	host, port, ok := hcSplitHostPort(hostport)
	if !ok {
		return nil, false
	}
	g.Host, g.Port, g.Path = hcHostBack(host), intstr.FromInt32(port), p
	return g, true
}

// parseCurlHeader reads "Name: value", or "Name;" which curl uses for an empty value.
func parseCurlHeader(s string) (corev1.HTTPHeader, bool) {
	if name, ok := strings.CutSuffix(s, ";"); ok && name != "" && !strings.ContainsAny(name, ":; ") {
		return corev1.HTTPHeader{Name: name}, true
	}
	name, value, ok := strings.Cut(s, ":")
	if !ok || name == "" || strings.ContainsAny(name, "; ") {
		return corev1.HTTPHeader{}, false
	}
	value, ok = strings.CutPrefix(value, " ")
	if !ok || value == "" {
		return corev1.HTTPHeader{}, false
	}
	return corev1.HTTPHeader{Name: name, Value: value}, true
}

func hcSplitHostPort(s string) (string, int32, bool) {
	host, ps, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "", 0, false
	}
	port, err := strconv.ParseInt(ps, 10, 32)
	if err != nil || port < 1 || port > 65535 || strconv.FormatInt(port, 10) != ps {
		return "", 0, false
	}
	return host, int32(port), true
}

func hcHostBack(h string) string {
	if h == hcLocalhost {
		return ""
	}
	return h
}

// hcShellSafe reports whether b needs no quoting in a POSIX shell word (not at a command's start).
func hcShellSafe(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_./:=@%+,", b) >= 0
}

// hcShellQuote quotes a word for sh: unchanged when safe, else wrapped in single quotes, each inner
// quote being closed, backslash-escaped and reopened.
func hcShellQuote(s string) string {
	safe := s != ""
	for i := 0; i < len(s) && safe; i++ {
		safe = hcShellSafe(s[i])
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hcShellSplit splits a simple shell command into words. It accepts safe characters, backslash
// escapes, single quotes and double quotes without expansions; anything that a shell would expand or
// interpret (variables, globs, redirections, operators) makes it fail, so only plain commands are
// recognised.
func hcShellSplit(s string) ([]string, bool) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
			continue
		case c == '\\':
			if i+1 >= len(s) || s[i+1] == '\n' {
				return nil, false
			}
			i++
			cur.WriteByte(s[i])
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 || strings.ContainsAny(s[i+1:i+1+end], "$`\\!") {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case hcShellSafe(c):
			cur.WriteByte(c)
		default:
			return nil, false
		}
		inWord = true
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, true
}
