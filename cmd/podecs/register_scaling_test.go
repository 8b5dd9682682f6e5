package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegisterScalingSkippedForFailedService registers a Deployment with a HorizontalPodAutoscaler
// whose ECS service cannot be created (its subnet does not exist): the scalable target and the
// policy are not attempted, and the errors name the service they wait for.
func TestRegisterScalingSkippedForFailedService(t *testing.T) {
	spaces := regexp.MustCompile(`([^ \n]) {2,}`)
	endpoint := motoEnv(t)
	const cluster, name = "podecs-register-scaling-skip", "skip-web"
	cfg := registerFixture(t, endpoint, cluster)
	manifest := filepath.Join(t.TempDir(), "web.yaml")
	dep, err := os.ReadFile(deployment(t, name, "nginx:1.25", 2, "t0k3n-s"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(manifest, append(dep, []byte(`---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: `+name+`
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: `+name+`}
  minReplicas: 2
  maxReplicas: 6
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
`)...), 0o644))

	dir := t.TempDir()
	code, _, errOut := runCLI(t, "", "convert", "-f", manifest, "--config", cfg, "-o", dir)
	require.Equal(t, exitOK, code, errOut)
	require.FileExists(t, filepath.Join(dir, name+".scaling.json"))
	withMissingSubnet(t, filepath.Join(dir, name+".service.json"))

	resourceID := "service/" + cluster + "/" + name
	reason := "not attempted: ECS service " + name + " in cluster " + cluster + " could not be created"
	// --skip-verify: the missing subnet would stop register before CreateService is called.
	args := []string{"register", "-f", dir, "--region", "us-east-1", "--endpoint-url", endpoint, "--create-cluster", "--skip-verify"}

	code, out, errOut := runCLI(t, "", args...)
	assertNoSecrets(t, out, errOut)
	assert.Equal(t, exitBadInput, code)
	out = spaces.ReplaceAllString(out, "$1 ")
	assert.Contains(t, out, "failed service "+name+" -\n")
	assert.Contains(t, out, "skipped scalable-target "+resourceID+" -\n")
	assert.Contains(t, out, "skipped scaling-policy "+name+"-cpu -\n")
	assert.Contains(t, errOut, "error: service "+name+" (cluster "+cluster+"): CreateService: InvalidParameterException: ")
	assert.Contains(t, errOut, "error: scalable-target "+resourceID+": "+reason+"\n")
	assert.Contains(t, errOut, "error: scaling-policy "+name+"-cpu: "+reason+"\n")
	assert.NotContains(t, errOut, "RegisterScalableTarget", "the target is not sent")
	assert.Contains(t, errOut, "podecs: 3 of 5 objects failed")
	got := awsCLI(t, endpoint, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", resourceID)
	assert.Empty(t, got["ScalableTargets"])

	t.Run("--verbose shows the Application Auto Scaling calls made", func(t *testing.T) {
		code, _, errOut := runCLI(t, "", append(args, "-v")...)
		assert.Equal(t, exitBadInput, code, errOut)
		assert.Contains(t, errOut, "application-autoscaling: DescribeScalableTargets resourceIds="+resourceID+"\n")
		assert.NotContains(t, errOut, "application-autoscaling: RegisterScalableTarget")
	})
	t.Run("the JSON report says why", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append(args, "--output", "json")...)
		assert.Equal(t, exitBadInput, code, errOut)
		var entries []registerEntry
		require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
		require.Len(t, entries, 5)
		for _, e := range entries[3:] {
			assert.Equal(t, "skipped", e.Action, "%+v", e)
			require.NotNil(t, e.Error, "%+v", e)
			assert.Equal(t, reason, e.Error.Message)
			assert.Empty(t, e.Error.Operation)
		}
	})
}

// TestRegisterScalingEndpoint: the Application Auto Scaling calls go to --scaling-endpoint-url
// when it is given, else to AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING before AWS_ENDPOINT_URL, as
// the SDK resolves them; the ECS calls are not sent there. A dry run sends only the describe calls.
func TestRegisterScalingEndpoint(t *testing.T) {
	spaces := regexp.MustCompile(`([^ \n]) {2,}`)
	endpoint := motoEnv(t)
	const cluster, name = "podecs-register-scaling-endpoint", "endpoint-web"
	cfg := registerFixture(t, endpoint, cluster)
	manifest := filepath.Join(t.TempDir(), "web.yaml")
	dep, err := os.ReadFile(deployment(t, name, "nginx:1.25", 1, "t0k3n-e"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(manifest, append(dep, []byte(`---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: `+name+`
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: `+name+`}
  minReplicas: 1
  maxReplicas: 3
`)...), 0o644))
	resourceID := "service/" + cluster + "/" + name

	var flag recorder
	code, out, errOut := runCLI(t, "", "register", "-f", manifest, "--config", cfg, "--region", "us-east-1", "--create-cluster",
		"--endpoint-url", endpoint, "--scaling-endpoint-url", flag.proxy(t, endpoint))
	require.Equal(t, exitOK, code, out+errOut)
	assert.Contains(t, spaces.ReplaceAllString(out, "$1 "), "registered scalable-target "+resourceID)
	assert.Equal(t, []string{"AnyScaleFrontendService.DescribeScalableTargets", "AnyScaleFrontendService.RegisterScalableTarget", "AnyScaleFrontendService.PutScalingPolicy"}, flag.recorded())

	var env recorder
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", env.proxy(t, endpoint))
	code, out, errOut = runCLI(t, "", "register", "-f", manifest, "--config", cfg, "--region", "us-east-1", "--dry-run")
	require.Equal(t, exitOK, code, out+errOut)
	assert.Contains(t, spaces.ReplaceAllString(out, "$1 "), "unchanged scalable-target "+resourceID)
	assert.Equal(t, []string{"AnyScaleFrontendService.DescribeScalableTargets", "AnyScaleFrontendService.DescribeScalingPolicies"}, env.recorded())
}

// recorded returns the operations recorded so far.
func (r *recorder) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ops...)
}
