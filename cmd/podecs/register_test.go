package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/motoserver"
)

// secretKey is the fake secret access key of the tests; no output may contain it.
const secretKey = "podecs-test-secret-access-key"

// motoEnv points the SDK's standard configuration chain at moto (the CLI reads the process
// environment, not the injected streams, for AWS settings) and returns the endpoint.
func motoEnv(t *testing.T) string {
	t.Helper()
	endpoint := motoserver.Endpoint(t)
	motoserver.RequireAWSCLI(t)
	for _, kv := range motoserver.Env(endpoint) {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL", "") // the tests pass --endpoint-url
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretKey)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return endpoint
}

// registerFixture writes a config for cluster with a subnet, a security group and an execution
// role that exist in moto (the role may write the logs of the tasks, whose groups they create),
// and returns its path.
func registerFixture(t *testing.T, endpoint, cluster string) string {
	t.Helper()
	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.2.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet := awsCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.2.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	sg := awsCLI(t, endpoint, "ec2", "create-security-group", "--group-name", cluster, "--description", "podecs register test", "--vpc-id", vpc)["GroupId"].(string)
	role := executionRole(t, endpoint, cluster, `{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}`)
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := fmt.Sprintf("cluster: %s\nregion: us-east-1\nexecutionRoleArn: %s\nnetwork:\n  subnets: [%s]\n  securityGroups: [%s]\nlogging:\n  createGroup: true\n", cluster, role, subnet, sg)
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// deployment writes a Deployment manifest and returns its path.
func deployment(t *testing.T, name, image string, replicas int, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".yaml")
	doc := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
spec:
  replicas: %d
  selector:
    matchLabels: {app: %s}
  template:
    metadata:
      labels: {app: %s}
    spec:
      containers:
      - name: web
        image: %s
        ports: [{containerPort: 8080}]
        env:
        - {name: API_TOKEN, value: %q}
        - {name: LOG_LEVEL, value: info}
        resources:
          limits: {cpu: 250m, memory: 512Mi}
`, name, replicas, name, name, image, token)
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	return path
}

func countRevisions(t *testing.T, endpoint, family string) int {
	t.Helper()
	return len(awsCLI(t, endpoint, "ecs", "list-task-definitions", "--family-prefix", family)["taskDefinitionArns"].([]any))
}

func liveService(t *testing.T, endpoint, cluster, name string) map[string]any {
	t.Helper()
	out := awsCLI(t, endpoint, "ecs", "describe-services", "--cluster", cluster, "--services", name)
	svcs := out["services"].([]any)
	if len(svcs) == 0 {
		return nil
	}
	return svcs[0].(map[string]any)
}

func clusterExists(t *testing.T, endpoint, cluster string) bool {
	t.Helper()
	return len(awsCLI(t, endpoint, "ecs", "describe-clusters", "--clusters", cluster)["clusters"].([]any)) > 0
}

func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		assert.NotContains(t, o, secretKey)
		assert.NotContains(t, o, "t0k3n")
	}
}

func TestRegister(t *testing.T) {
	endpoint := motoEnv(t)
	const cluster, name = "podecs-register", "reg-web"
	cfg := registerFixture(t, endpoint, cluster)
	aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint, "--config", cfg}
	register := func(t *testing.T, manifest string, extra ...string) (int, string, string) {
		t.Helper()
		code, out, errOut := runCLI(t, "", append(append([]string{"register", "-f", manifest}, aws...), extra...)...)
		assertNoSecrets(t, out, errOut)
		return code, out, errOut
	}
	v1 := deployment(t, name, "nginx:1.25", 2, "t0k3n-1")

	t.Run("a missing cluster is a clear error and nothing is registered", func(t *testing.T) {
		code, out, errOut := register(t, v1)
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "podecs: cannot plan: cluster podecs-register not found in us-east-1: create it, or pass --create-cluster\n")
		assert.Zero(t, countRevisions(t, endpoint, name))
	})

	t.Run("dry run changes nothing and prints the plan", func(t *testing.T) {
		code, out, errOut := register(t, v1, "--create-cluster", "--dry-run")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, "dry run: nothing was changed; the plan:\n"+
			"create    cluster  podecs-register  -\n"+
			"    (cluster does not exist)\n"+
			"register  taskdef  reg-web          -\n"+
			"    (the family has no ACTIVE revision)\n"+
			"create    service  reg-web          -\n"+
			"    (the service does not exist in cluster podecs-register)\n", out)
		assert.Zero(t, countRevisions(t, endpoint, name))
		assert.False(t, clusterExists(t, endpoint, cluster))
	})

	t.Run("first register creates the cluster, one revision and the service", func(t *testing.T) {
		code, out, errOut := register(t, v1, "--create-cluster")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, "created     cluster  podecs-register  arn:aws:ecs:us-east-1:123456789012:cluster/podecs-register\n"+
			"registered  taskdef  reg-web          arn:aws:ecs:us-east-1:123456789012:task-definition/reg-web:1\n"+
			"created     service  reg-web          arn:aws:ecs:us-east-1:123456789012:service/podecs-register/reg-web\n", out)
		assert.Equal(t, 1, countRevisions(t, endpoint, name))
		svc := liveService(t, endpoint, cluster, name)
		require.NotNil(t, svc)
		assert.Equal(t, "arn:aws:ecs:us-east-1:123456789012:task-definition/reg-web:1", svc["taskDefinition"])
		assert.EqualValues(t, 2, svc["desiredCount"])
		assert.Equal(t, "FARGATE", svc["launchType"])
	})

	t.Run("an unchanged re-run registers and updates nothing", func(t *testing.T) {
		start := time.Now()
		code, out, errOut := register(t, v1, "--output", "json")
		t.Logf("unchanged re-run: %v", time.Since(start))
		require.Equal(t, exitOK, code, errOut)
		var entries []registerEntry
		require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
		require.Len(t, entries, 3)
		for _, e := range entries {
			assert.Equal(t, "unchanged", e.Action, "%+v", e)
			assert.Empty(t, e.Changes)
			assert.False(t, e.DryRun)
		}
		assert.Equal(t, "reg-web:1", entries[1].TaskDefinition)
		assert.Equal(t, "reg-web:1", entries[2].TaskDefinition)
		assert.Equal(t, 1, countRevisions(t, endpoint, name))
		assert.EqualValues(t, 2, liveService(t, endpoint, cluster, name)["desiredCount"])
	})

	v2 := deployment(t, name, "nginx:1.26", 3, "t0k3n-2")
	t.Run("dry run of a change lists the field-level reasons and changes nothing", func(t *testing.T) {
		code, out, errOut := register(t, v2, "--dry-run")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, "dry run: nothing was changed; the plan:\n"+
			"unchanged  cluster  podecs-register  arn:aws:ecs:us-east-1:123456789012:cluster/podecs-register\n"+
			"register   taskdef  reg-web          -\n"+
			"    (differs from the latest ACTIVE revision reg-web:1)\n"+
			"    containerDefinitions[web].environment[API_TOKEN]: (hidden) → (hidden)\n"+
			"    containerDefinitions[web].image: \"nginx:1.25\" → \"nginx:1.26\"\n"+
			"update     service  reg-web          arn:aws:ecs:us-east-1:123456789012:service/podecs-register/reg-web\n"+
			"    taskDefinition: \"reg-web:1\" → \"reg-web (new revision)\"\n"+
			"    desiredCount: 2 → 3\n"+
			"    deploymentConfiguration.maximumPercent: 150 → 134\n", out)
		assert.Equal(t, 1, countRevisions(t, endpoint, name))
		svc := liveService(t, endpoint, cluster, name)
		assert.Equal(t, "arn:aws:ecs:us-east-1:123456789012:task-definition/reg-web:1", svc["taskDefinition"])
		assert.EqualValues(t, 2, svc["desiredCount"])
	})

	t.Run("an image change registers exactly one revision and updates the service to it", func(t *testing.T) {
		code, out, errOut := register(t, v2)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "registered  taskdef  reg-web          arn:aws:ecs:us-east-1:123456789012:task-definition/reg-web:2\n")
		assert.Contains(t, out, "updated     service  reg-web          arn:aws:ecs:us-east-1:123456789012:service/podecs-register/reg-web\n"+
			"    taskDefinition: \"reg-web:1\" → \"reg-web:2\"\n")
		assert.Equal(t, 2, countRevisions(t, endpoint, name))
		svc := liveService(t, endpoint, cluster, name)
		assert.Equal(t, "reg-web:2", svc["taskDefinition"], "moto stores the family:revision UpdateService was given")
		assert.EqualValues(t, 3, svc["desiredCount"])

		code, out, errOut = register(t, v2)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, 3, strings.Count(out, "unchanged "), out)
		assert.Equal(t, 2, countRevisions(t, endpoint, name))
	})

	t.Run("the ECS JSON convert writes registers the same objects", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errOut := runCLI(t, "", "convert", "-f", v2, "--config", cfg, "-o", dir)
		require.Equal(t, exitOK, code, errOut)
		code, out, errOut := runCLI(t, "", "register", "-f", dir, "--region", "us-east-1", "--endpoint-url", endpoint)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, 3, strings.Count(out, "unchanged "), out)
		assert.Equal(t, 2, countRevisions(t, endpoint, name))
	})

	t.Run("a failed call names the object and the AWS error while the rest is reported", func(t *testing.T) {
		dir := t.TempDir()
		code, out, errOut := runCLI(t, "", "convert", "-f", deployment(t, "reg-bad", "nginx:1", 1, "t0k3n-3"), "--config", cfg, "-o", dir)
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, out)
		withMissingSubnet(t, filepath.Join(dir, "reg-bad.service.json"))

		// --skip-verify: the missing subnet would stop register before CreateService is called.
		code, out, errOut = runCLI(t, "", "register", "-f", dir, "-f", v2, "--config", cfg, "--region", "us-east-1", "--endpoint-url", endpoint, "--skip-verify")
		assertNoSecrets(t, out, errOut)
		assert.Equal(t, exitBadInput, code)
		assert.Contains(t, out, "registered  taskdef  reg-bad          arn:aws:ecs:us-east-1:123456789012:task-definition/reg-bad:1\n")
		assert.Contains(t, out, "unchanged   service  reg-web          arn:")
		assert.Contains(t, out, "failed      service  reg-bad          -\n")
		assert.Contains(t, errOut, "error: service reg-bad (cluster podecs-register): CreateService: InvalidParameterException: ")
		assert.Contains(t, errOut, "podecs: 1 of 5 objects failed (see the errors above); the others are done, and running register again continues from here\n")
	})

	t.Run("--cluster overrides the config", func(t *testing.T) {
		code, _, errOut := register(t, v2, "--cluster", "podecs-register-other", "--dry-run")
		assert.Equal(t, exitBadInput, code)
		assert.Contains(t, errOut, "cluster podecs-register-other not found")
	})
}

func TestRegisterWait(t *testing.T) {
	endpoint := motoEnv(t)
	cfg := registerFixture(t, endpoint, "podecs-register-wait")
	aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint, "--config", cfg, "--create-cluster", "--wait"}

	t.Run("a service with 0 of 0 tasks is stable", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append([]string{"register", "-f", deployment(t, "reg-idle", "nginx:1", 0, "x")}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "created     service  reg-idle")
		assert.Contains(t, errOut, "waiting up to 10m0s for 1 service(s) to become stable\n1 service(s) stable\n")
	})
	t.Run("a service that does not become stable times out", func(t *testing.T) {
		start := time.Now()
		// moto starts no tasks for a new service: 0 of 2 running never becomes stable.
		code, out, errOut := runCLI(t, "", append([]string{"register", "-f", deployment(t, "reg-busy", "nginx:1", 2, "x"), "--wait-timeout", "2s"}, aws...)...)
		assert.Equal(t, exitBadInput, code)
		assert.Contains(t, out, "created     service  reg-busy")
		assert.Contains(t, errOut, "podecs: --wait: services reg-busy in cluster podecs-register-wait: not stable within 2s (--wait-timeout 2s)\n")
		assert.Less(t, time.Since(start), 10*time.Second)
	})
}

func TestRegisterUnreachableEndpoint(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretKey)
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	start := time.Now()
	code, out, errOut := runCLI(t, "", "register", "-f", deployment(t, "reg-x", "nginx:1", 1, "x"), "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1")
	elapsed := time.Since(start)
	t.Logf("unreachable endpoint: exit %d after %v", code, elapsed)
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "podecs: cannot plan: DescribeClusters: cannot reach the ECS endpoint: dial tcp 127.0.0.1:1: connect: connection refused (gave up after 4 attempts)\n")
	assert.NotContains(t, errOut, secretKey)
	assert.Less(t, elapsed, 20*time.Second)
}

func TestRegisterBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.taskdef.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"family": "x", "containerDefinitions": [{"name": "a", "image": "b", "memroy": 5}]}`), 0o644))
	described := filepath.Join(dir, "described.json")
	require.NoError(t, os.WriteFile(described, []byte(`{"services": [{"serviceName": "a"}]}`), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown member in ECS JSON", []string{"-f", bad}, `error: ` + bad + `: doc 1 TaskDefinition/x: containerDefinitions[0].memroy: unknown field (did you mean "memory"?)`},
		{"describe-services output", []string{"-f", described}, "register takes the CreateService input"},
		{"output format", []string{"-f", bad, "--output", "yaml"}, `podecs: --output: "yaml" is not text or json`},
		{"nothing to register", []string{"-f", "-"}, "podecs: nothing to register"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// No endpoint: nothing may be sent when the input is bad.
			code, out, errOut := runCLI(t, "", append([]string{"register", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1"}, tc.args...)...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.NotContains(t, errOut, "cannot reach")
		})
	}
}

// withMissingSubnet rewrites a converted service so that CreateService fails: its subnet does not
// exist.
func withMissingSubnet(t *testing.T, svcFile string) {
	t.Helper()
	data, err := os.ReadFile(svcFile)
	require.NoError(t, err)
	var svc map[string]any
	require.NoError(t, json.Unmarshal(data, &svc))
	svc["networkConfiguration"].(map[string]any)["awsvpcConfiguration"].(map[string]any)["subnets"] = []string{"subnet-0000000000000dead"}
	data, err = json.Marshal(svc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(svcFile, data, 0o644))
}
