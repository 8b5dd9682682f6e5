package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/motoserver"
	"github.com/podecs/podecs/verify"
)

// runID makes the AWS names of one test run unique, so that the tests can run again on the same moto.
var runID = strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36)

// executionRole creates an IAM role that ECS tasks may assume, with the given policy statements,
// and returns its ARN.
func executionRole(t *testing.T, endpoint, name string, statements ...string) string {
	t.Helper()
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := "podecs-" + name + "-" + runID
	answer := motoserver.Query(t, endpoint, "iam", "2010-05-08", "CreateRole", "RoleName", role, "AssumeRolePolicyDocument", trust)
	if len(statements) > 0 {
		motoserver.Query(t, endpoint, "iam", "2010-05-08", "PutRolePolicy", "RoleName", role, "PolicyName", "task",
			"PolicyDocument", `{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`)
	}
	return motoserver.XMLValue(t, answer, "Arn")
}

// verifyWorld is a workload's AWS side in moto: a cluster, an execution role that may read the
// workload's secret, pull its ECR image and write its log group, a task role, and a public subnet
// (a default route to an internet gateway) with a security group.
type verifyWorld struct {
	endpoint, name, cluster, execRole, taskRole, secretARN, image, subnet, sg string
}

func newVerifyWorld(t *testing.T, endpoint, name string) verifyWorld {
	t.Helper()
	w := verifyWorld{endpoint: endpoint, name: name + "-" + runID, cluster: "podecs-" + name + "-" + runID}
	ec2 := func(action string, params ...string) string {
		return motoserver.Query(t, endpoint, "ec2", "2016-11-15", action, params...)
	}
	motoserver.JSON(t, endpoint, "ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", map[string]any{"clusterName": w.cluster})
	w.secretARN = motoserver.JSON(t, endpoint, "secretsmanager", "secretsmanager.CreateSecret", map[string]any{"Name": w.name + "/db", "SecretString": "never-read-" + runID})["ARN"].(string)
	motoserver.JSON(t, endpoint, "ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository", map[string]any{"repositoryName": w.name})
	motoserver.JSON(t, endpoint, "ecr", "AmazonEC2ContainerRegistry_V20150921.PutImage", map[string]any{"repositoryName": w.name, "imageTag": "1.0", "imageManifest": `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}`})
	w.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + w.name + ":1.0"
	motoserver.JSON(t, endpoint, "logs", "Logs_20140328.CreateLogGroup", map[string]any{"logGroupName": "/ecs/" + w.name})
	w.execRole = executionRole(t, endpoint, name+"-exec",
		`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"`+w.secretARN+`"}`,
		`{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/*"}`,
		`{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/`+w.name+`/*"}`)
	w.taskRole = executionRole(t, endpoint, name+"-task")
	vpc := motoserver.XMLValue(t, ec2("CreateVpc", "CidrBlock", "10.40.0.0/16"), "vpcId")
	w.subnet = motoserver.XMLValue(t, ec2("CreateSubnet", "VpcId", vpc, "CidrBlock", "10.40.1.0/24"), "subnetId")
	w.sg = motoserver.XMLValue(t, ec2("CreateSecurityGroup", "GroupName", w.name, "GroupDescription", "verify", "VpcId", vpc), "groupId")
	igw := motoserver.XMLValue(t, ec2("CreateInternetGateway"), "internetGatewayId")
	ec2("AttachInternetGateway", "InternetGatewayId", igw, "VpcId", vpc)
	rt := motoserver.XMLValue(t, ec2("CreateRouteTable", "VpcId", vpc), "routeTableId")
	ec2("AssociateRouteTable", "RouteTableId", rt, "SubnetId", w.subnet)
	ec2("CreateRoute", "RouteTableId", rt, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", igw)
	return w
}

// files writes the workload's Deployment (with a ServiceAccount whose role is the task role) and
// a config; edit changes the config's text. It returns the manifest and the config.
func (w verifyWorld) files(t *testing.T, edit ...func(string) string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	manifest := fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s
  annotations: {eks.amazonaws.com/role-arn: %[2]s}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: 1
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      serviceAccountName: %[1]s
      containers:
      - name: web
        image: %[3]s
        ports: [{containerPort: 8080}]
        env:
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
        resources: {limits: {cpu: 250m, memory: 512Mi}}
`, w.name, w.taskRole, w.image)
	cfg := fmt.Sprintf(`cluster: %s
region: us-east-1
executionRoleArn: %s
network: {subnets: [%s], securityGroups: [%s], assignPublicIp: ENABLED}
secrets: {db/password: %s}
`, w.cluster, w.execRole, w.subnet, w.sg, w.secretARN)
	for _, e := range edit {
		cfg = e(cfg)
	}
	m, c := filepath.Join(dir, w.name+".yaml"), filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(m, []byte(manifest), 0o644))
	require.NoError(t, os.WriteFile(c, []byte(cfg), 0o644))
	return m, c
}

func TestVerify(t *testing.T) {
	endpoint := motoEnv(t)
	w := newVerifyWorld(t, endpoint, "verify")
	aws := []string{"--endpoint-url", endpoint}
	manifest, cfg := w.files(t)
	verify := func(t *testing.T, args ...string) (int, string, string) {
		t.Helper()
		code, out, errOut := runCLI(t, "", append(append([]string{"verify"}, args...), aws...)...)
		assert.NotContains(t, out+errOut, "never-read", "a secret value is never shown")
		return code, out, errOut
	}

	t.Run("every check ok: exit 0, one line per check under the workload, and the summary", func(t *testing.T) {
		code, out, errOut := verify(t, "-f", manifest, "--config", cfg)
		require.Equal(t, exitOK, code, out+errOut)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		assert.Equal(t, w.name, lines[0])
		for _, want := range []string{"cluster", "capacity", "execution role", "task role", "image", "secret", "log group", "subnet", "security group", "vpc", "internet access"} {
			assert.Regexp(t, `(?m)^  ok +`+want+` +\S+ +\S`, out, want)
		}
		assert.Regexp(t, `^\d+ checks of 1 workload: \d+ ok$`, lines[len(lines)-1])
		assert.NotContains(t, out, "fail")
	})

	t.Run("--format json", func(t *testing.T) {
		code, out, errOut := verify(t, "-f", manifest, "--config", cfg, "--format", "json")
		require.Equal(t, exitOK, code, errOut)
		var rep struct {
			Checks []struct {
				Workload, Check, Resource, Status, Message string
			} `json:"checks"`
			Summary struct {
				Workloads, Checks, OK, Warning, Fail, NotChecked, Errors int
			} `json:"summary"`
		}
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&rep), out)
		require.NotEmpty(t, rep.Checks)
		for _, c := range rep.Checks {
			assert.Equal(t, w.name, c.Workload)
			assert.NotEmpty(t, c.Check)
			assert.NotEmpty(t, c.Resource)
			assert.Equal(t, "ok", c.Status)
			assert.NotEmpty(t, c.Message)
		}
		assert.Equal(t, len(rep.Checks), rep.Summary.Checks)
		assert.Equal(t, rep.Summary.Checks, rep.Summary.OK)
		assert.Equal(t, 1, rep.Summary.Workloads)
		var raw map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &raw))
		assert.ElementsMatch(t, []string{"checks", "summary"}, keysOf(raw))
		assert.ElementsMatch(t, []string{"workloads", "checks", "ok", "warning", "fail", "notChecked", "errors"}, keysOf(raw["summary"].(map[string]any)))
		assert.ElementsMatch(t, []string{"workload", "check", "resource", "status", "message"}, keysOf(raw["checks"].([]any)[0].(map[string]any)))
	})

	t.Run("a warning and no failure: exit 1", func(t *testing.T) {
		_, noIP := w.files(t, func(c string) string {
			return strings.Replace(c, "assignPublicIp: ENABLED", "assignPublicIp: DISABLED", 1)
		})
		code, out, _ := verify(t, "-f", manifest, "--config", noIP)
		assert.Equal(t, exitFindings, code)
		assert.Regexp(t, `(?m)^  warning +internet access +`+w.subnet+` +`+w.subnet+` routes to an internet gateway, but assignPublicIp is DISABLED`, out)
		assert.Contains(t, out, "1 warning")
	})

	t.Run("a check not made: exit 0, and 1 with --strict", func(t *testing.T) {
		hub := deployment(t, "verify-hub-"+runID, "nginx:1.27", 1, "t0k3n-v")
		motoserver.JSON(t, endpoint, "logs", "Logs_20140328.CreateLogGroup", map[string]any{"logGroupName": "/ecs/verify-hub-" + runID})
		code, out, _ := verify(t, "-f", manifest, "-f", hub, "--config", cfg)
		assert.Equal(t, exitOK, code, out)
		assert.Regexp(t, `(?m)^  not checked +image +nginx:1\.27 +registry docker\.io is not a private Amazon ECR registry`, out)
		code, _, _ = verify(t, "-f", manifest, "-f", hub, "--config", cfg, "--strict")
		assert.Equal(t, exitFindings, code)
	})

	t.Run("a failure: exit 2, named on standard error", func(t *testing.T) {
		_, missing := w.files(t, func(c string) string { return strings.Replace(c, w.secretARN, w.secretARN+"x", 1) })
		code, out, errOut := verify(t, "-f", manifest, "--config", missing, "-q")
		assert.Equal(t, exitBadInput, code)
		assert.Regexp(t, `(?m)^  fail +secret +`+w.secretARN+`x +no such secret in Secrets Manager \(us-east-1\)$`, out)
		assert.Regexp(t, `(?m)^  not checked +execution role access +`+w.secretARN+`x +the secret cannot be described \(see its own check\)$`, out)
		assert.Regexp(t, `^podecs: verify: 1 of \d+ checks failed\n$`, errOut)
	})

	t.Run("no credentials: one error up front", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		code, out, errOut := runCLI(t, "", "verify", "-f", manifest, "--config", cfg, "--endpoint-url", endpoint, "-q")
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, out)
		assert.True(t, strings.HasPrefix(errOut, "podecs: no AWS credentials: "), errOut)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	})

	t.Run("bad input sends nothing", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "verify", "-f", manifest, "--config", cfg, "--format", "yaml", "--endpoint-url", "http://127.0.0.1:1")
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, out)
		assert.Equal(t, "podecs: --format: \"yaml\" is not text or json\n", errOut)
	})
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// recorder is a proxy in front of moto that records the operation of each request: the
// X-Amz-Target of JSON calls, the Action of query calls, the method and path of REST calls, and
// every request body.
type recorder struct {
	mu     sync.Mutex
	ops    []string
	bodies []string
}

func (r *recorder) proxy(t *testing.T, endpoint string) string {
	target, err := url.Parse(endpoint)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		op := req.Header.Get("X-Amz-Target")
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
			op = form.Get("Action")
		}
		if op == "" {
			op = req.Method + " " + req.URL.Path
		}
		r.mu.Lock()
		r.ops, r.bodies = append(r.ops, op), append(r.bodies, string(body))
		r.mu.Unlock()
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestVerifyNeverReadsSecretValues records every call verify and register make: secrets and
// parameters are described, never read (no GetSecretValue, no GetParameter(s), nothing with
// WithDecryption), and no value appears in any output.
func TestVerifyNeverReadsSecretValues(t *testing.T) {
	endpoint := motoEnv(t)
	w := newVerifyWorld(t, endpoint, "secrets")
	param := "/" + w.name + "/api-key"
	motoserver.JSON(t, endpoint, "ssm", "AmazonSSM.PutParameter", map[string]any{"Name": param, "Value": "never-read-" + runID, "Type": "SecureString"})
	manifest, cfg := w.files(t, func(c string) string {
		return strings.Replace(c, "secrets: {", "secrets: {api/key: arn:aws:ssm:us-east-1:123456789012:parameter"+param+", ", 1)
	})
	data, err := os.ReadFile(manifest)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(manifest, bytes.Replace(data, []byte("        env:\n"), []byte("        env:\n        - name: API_KEY\n          valueFrom: {secretKeyRef: {name: api, key: key}}\n"), 1), 0o644))

	var rec recorder
	proxy := rec.proxy(t, endpoint)
	var outputs []string
	for _, args := range [][]string{
		{"verify", "-f", manifest, "--config", cfg, "-v"},
		{"verify", "-f", manifest, "--config", cfg, "--format", "json"},
		{"register", "-f", manifest, "--config", cfg, "--dry-run", "-v"},
	} {
		code, out, errOut := runCLI(t, "", append(args, "--endpoint-url", proxy)...)
		require.Contains(t, []int{exitOK, exitFindings}, code, out+errOut)
		outputs = append(outputs, out, errOut)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Contains(t, rec.ops, "secretsmanager.DescribeSecret")
	assert.Contains(t, rec.ops, "AmazonSSM.DescribeParameters")
	for i, op := range rec.ops {
		for _, read := range []string{"GetSecretValue", "BatchGetSecretValue", "GetParameter", "GetParameters", "GetParametersByPath", "GetParameterHistory"} {
			assert.False(t, strings.HasSuffix(op, "."+read) || op == read, "%s was called", op)
		}
		assert.NotContains(t, rec.bodies[i], "WithDecryption", op)
		assert.NotContains(t, rec.bodies[i], "never-read", op)
	}
	for _, o := range outputs {
		assert.NotContains(t, o, "never-read")
	}
}

// killAfter is standard error that stops moto once n AWS calls have been printed (--verbose).
type killAfter struct {
	mu    sync.Mutex
	n     int
	stop  func()
	buf   bytes.Buffer
	calls int
}

func (k *killAfter) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		if svc, _, found := strings.Cut(line, ": "); found && !strings.Contains(svc, " ") && svc != "podecs" && svc != "info" && svc != "warning" && svc != "error" {
			k.calls++
			if k.calls == k.n {
				k.stop()
			}
		}
	}
	return k.buf.Write(p)
}

// TestVerifyEndpointGone stops the AWS endpoint in the middle of verify: the checks made before
// keep their results, the others fail with the reason, every line is there, the exit code is 2
// and nothing panics.
func TestVerifyEndpointGone(t *testing.T) {
	motoEnv(t)
	endpoint, stop := motoserver.StartPrivate(t)
	w := newVerifyWorld(t, endpoint, "gone")
	manifest, cfg := w.files(t)
	full, fullOut, _ := runCLI(t, "", "verify", "-f", manifest, "--config", cfg, "--endpoint-url", endpoint, "--format", "json")
	require.Equal(t, exitOK, full, fullOut)
	var before verify.Report
	require.NoError(t, json.Unmarshal([]byte(fullOut), &before))

	// Eight look-ups run at once: when the tenth call is printed, at least two have been answered.
	errw := &killAfter{n: 10, stop: stop}
	var out bytes.Buffer
	start := time.Now()
	code := run([]string{"podecs", "verify", "-f", manifest, "--config", cfg, "--endpoint-url", endpoint, "--format", "json", "-v", "--timeout", "40s"},
		streams{In: strings.NewReader(""), Out: &out, Err: errw, Getenv: func(string) string { return "" }})
	t.Logf("verify with the endpoint gone at the tenth call: exit %d in %v\n%s", code, time.Since(start), errw.buf.String())
	assert.Equal(t, exitBadInput, code)
	var rep verify.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	require.Len(t, rep.Checks, len(before.Checks), "every check has its line")
	for i, c := range rep.Checks {
		assert.Equal(t, before.Checks[i].Check, c.Check)
		assert.Equal(t, before.Checks[i].Resource, c.Resource)
	}
	assert.Positive(t, rep.Summary.OK, "the checks made before keep their results")
	assert.Positive(t, rep.Summary.Errors)
	reached := false
	for _, c := range rep.Checks {
		if c.Error != nil {
			assert.Equal(t, verify.Fail, c.Status)
			assert.NotEmpty(t, c.Error.Operation)
			reached = reached || strings.Contains(c.Message, "cannot reach the ")
		}
	}
	assert.True(t, reached, "a failed check says the endpoint cannot be reached:\n%s", out.String())
	assert.Contains(t, errw.buf.String(), "podecs: verify: ")
	assert.NotContains(t, errw.buf.String(), "panic")
}

// TestRegisterVerifies: register makes the checks of verify before changing anything, stops on a
// failure naming it, goes on with --skip-verify, and a dry run shows the checks with the plan.
func TestRegisterVerifies(t *testing.T) {
	endpoint := motoEnv(t)
	w := newVerifyWorld(t, endpoint, "regverify")
	manifest, cfg := w.files(t, func(c string) string { return strings.Replace(c, w.secretARN, w.secretARN+"x", 1) })
	args := []string{"register", "-f", manifest, "--config", cfg, "--endpoint-url", endpoint}

	t.Run("a failing check stops register before it changes anything", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", args...)
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "error: verify: "+w.name+": secret "+w.secretARN+"x: no such secret in Secrets Manager (us-east-1)\n")
		assert.Regexp(t, `podecs: verify: 1 of \d+ checks failed \(see above\): nothing was changed; fix them, or pass --skip-verify\n$`, errOut)
		assert.Zero(t, countRevisions(t, endpoint, w.name))
	})

	t.Run("a dry run shows the checks with the plan, and says register would stop", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append(args, "--dry-run")...)
		assert.Equal(t, exitBadInput, code)
		assert.True(t, strings.HasPrefix(out, "dry run: nothing was changed; the plan:\n"), out)
		assert.Contains(t, out, "register   taskdef  "+w.name)
		assert.Contains(t, errOut, "verify:\n"+w.name+"\n")
		assert.Regexp(t, `(?m)^  ok +cluster +`+w.cluster+` +ACTIVE$`, errOut)
		assert.Regexp(t, `(?m)^  fail +secret +`+w.secretARN+`x +no such secret`, errOut)
		assert.Contains(t, errOut, "register would stop here; fix them, or pass --skip-verify\n")
	})

	t.Run("--skip-verify registers anyway", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append(args, "--skip-verify", "-v")...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "registered  taskdef  "+w.name)
		assert.NotContains(t, errOut, "secretsmanager:", "no check is made")
		assert.Equal(t, 1, countRevisions(t, endpoint, w.name))
	})

	t.Run("warnings are shown and register goes on", func(t *testing.T) {
		_, noIP := w.files(t, func(c string) string {
			return strings.Replace(c, "assignPublicIp: ENABLED", "assignPublicIp: DISABLED", 1)
		})
		code, _, errOut := runCLI(t, "", "register", "-f", manifest, "--config", noIP, "--endpoint-url", endpoint)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "warning: verify: "+w.name+": internet access "+w.subnet+": "+w.subnet+" routes to an internet gateway, but assignPublicIp is DISABLED")
		code, _, errOut = runCLI(t, "", "register", "-f", manifest, "--config", noIP, "--endpoint-url", endpoint, "-q")
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, errOut)
	})
}

// TestVerifyOtherDocuments: RunTask inputs, schedules and target group settings are read and
// named as not checked; a file with nothing to check is an error.
func TestVerifyOtherDocuments(t *testing.T) {
	t.Chdir("../..")
	for _, f := range []string{"testdata/fixtures/k8s/golden/job-runtask/reindex.runtask.json", "testdata/fixtures/k8s/golden/cronjob-schedule/invoice-run.schedule.json"} {
		code, out, errOut := runCLI(t, "", "verify", "-f", f, "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1")
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, ": not checked: verify checks task definitions and services and what they refer to\n")
		assert.Contains(t, errOut, "podecs: nothing to verify: ")
	}
}
