package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/motoserver"
)

// tempJSON writes v as a JSON file in a temporary directory and returns its file:// argument.
func tempJSON(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return "file://" + path
}

func readJSONFile(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// TestGoldenSchedulesScalingAndRunTasksAcceptedByAWS sends the schedule, scaling and RunTask files
// podecs writes for its golden fixtures through the awscli's parameter validation (the scheduler,
// application-autoscaling and ecs service models) into moto. The ECS services and task definitions
// they refer to are created first, in a cluster of this test, since Application Auto Scaling
// refuses a target for a service that does not exist.
func TestGoldenSchedulesScalingAndRunTasksAcceptedByAWS(t *testing.T) {
	endpoint := motoserver.Endpoint(t)
	motoserver.RequireAWSCLI(t)
	t.Chdir("../..")
	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.3.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet := awsCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.3.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	sg := awsCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "podecs-extra", "--description", "podecs extra test", "--vpc-id", vpc)["GroupId"].(string)
	withNetwork := func(nc map[string]any) {
		if aw, ok := nc["awsvpcConfiguration"].(map[string]any); ok {
			aw["subnets"], aw["securityGroups"] = []string{subnet}, []string{sg}
		}
	}

	schedules, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*.schedule.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(schedules), 5, "the golden fixtures hold schedules")
	for _, path := range schedules {
		t.Run("create-schedule/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			s := readJSONFile(t, path)
			out := awsCLI(t, endpoint, "scheduler", "create-schedule", "--cli-input-json", "file://"+path)
			assert.Contains(t, out["ScheduleArn"], ":schedule/default/"+s["Name"].(string))
			got := awsCLI(t, endpoint, "scheduler", "get-schedule", "--name", s["Name"].(string))
			assert.Equal(t, s["ScheduleExpression"], got["ScheduleExpression"])
			assert.Equal(t, s["State"], got["State"])
			target := got["Target"].(map[string]any)
			want := s["Target"].(map[string]any)["EcsParameters"].(map[string]any)
			assert.Equal(t, want["TaskDefinitionArn"], target["EcsParameters"].(map[string]any)["TaskDefinitionArn"])
		})
	}

	// Scaling: the service of each N.scaling.json is created in a cluster of this test.
	const cluster = "podecs-golden-scaling"
	awsCLI(t, endpoint, "ecs", "create-cluster", "--cluster-name", cluster)
	scalings, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*.scaling.json")
	require.NoError(t, err)
	require.NotEmpty(t, scalings)
	for _, path := range scalings {
		t.Run("register-scalable-target/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			dir, name := filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), ".scaling.json")
			awsCLI(t, endpoint, "ecs", "register-task-definition", "--cli-input-json", "file://"+filepath.Join(dir, name+".taskdef.json"))
			svc := readJSONFile(t, filepath.Join(dir, name+".service.json"))
			svc["cluster"] = cluster
			if nc, ok := svc["networkConfiguration"].(map[string]any); ok {
				withNetwork(nc)
			}
			awsCLI(t, endpoint, "ecs", "create-service", "--cli-input-json", tempJSON(t, name+".service.json", svc))

			sc := readJSONFile(t, path)
			resourceID := fmt.Sprintf("service/%s/%s", cluster, svc["serviceName"])
			target := sc["RegisterScalableTarget"].(map[string]any)
			target["ResourceId"] = resourceID
			awsCLI(t, endpoint, "application-autoscaling", "register-scalable-target", "--cli-input-json", tempJSON(t, "target.json", target))
			policies := sc["PutScalingPolicy"].([]any)
			require.NotEmpty(t, policies)
			for i, p := range policies {
				policy := p.(map[string]any)
				policy["ResourceId"] = resourceID
				out := awsCLI(t, endpoint, "application-autoscaling", "put-scaling-policy", "--cli-input-json", tempJSON(t, fmt.Sprintf("policy-%d.json", i), policy))
				assert.Contains(t, out["PolicyARN"], "policyName/"+policy["PolicyName"].(string))
			}
			got := awsCLI(t, endpoint, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", resourceID)
			targets := got["ScalableTargets"].([]any)
			require.Len(t, targets, 1)
			assert.Equal(t, target["MinCapacity"], targets[0].(map[string]any)["MinCapacity"])
			assert.Equal(t, target["MaxCapacity"], targets[0].(map[string]any)["MaxCapacity"])
		})
	}

	// RunTask: every golden RunTask input passes the awscli's validation against the ECS model and
	// reaches the endpoint. moto 5.2.1 cannot start awsvpc tasks (it fails on the task's network
	// interface), so an answer from the endpoint is what is asked for, not started tasks.
	runs, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*.runtask.json")
	require.NoError(t, err)
	require.NotEmpty(t, runs)
	for _, path := range runs {
		t.Run("run-task/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			dir, name := filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), ".runtask.json")
			awsCLI(t, endpoint, "ecs", "register-task-definition", "--cli-input-json", "file://"+filepath.Join(dir, name+".taskdef.json"))
			in := readJSONFile(t, path)
			in["cluster"] = cluster
			if nc, ok := in["networkConfiguration"].(map[string]any); ok {
				withNetwork(nc)
			}
			cmd := exec.Command("aws", "--endpoint-url", endpoint, "--output", "json", "ecs", "run-task", "--cli-input-json", tempJSON(t, name+".runtask.json", in))
			cmd.Env = motoserver.Env(endpoint)
			out, err := cmd.CombinedOutput()
			for _, refused := range []string{"Parameter validation failed", "Unknown parameter", "Invalid type for parameter"} {
				assert.NotContains(t, string(out), refused)
			}
			if err == nil {
				assert.Contains(t, string(out), `"startedBy": "`+in["startedBy"].(string)+`"`)
			}
		})
	}
}

// TestRegisterScalingIdempotent registers a Deployment with a HorizontalPodAutoscaler: the first
// run creates the service and then its scalable target and policies, a re-run changes nothing, and
// a changed HorizontalPodAutoscaler updates only the scaling.
func TestRegisterScalingIdempotent(t *testing.T) {
	spaces := regexp.MustCompile(`([^ \n]) {2,}`)
	endpoint := motoEnv(t)
	const cluster, name = "podecs-register-scaling", "scaled-web"
	cfg := registerFixture(t, endpoint, cluster)
	manifest := func(maxReplicas, cpu int) string {
		path := filepath.Join(t.TempDir(), "hpa.yaml")
		hpa := fmt.Sprintf(`---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %s
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
  minReplicas: 2
  maxReplicas: %d
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: %d}
`, name, name, maxReplicas, cpu)
		dep, err := os.ReadFile(deployment(t, name, "nginx:1.25", 2, "t0k3n-s"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(dep, []byte(hpa)...), 0o644))
		return path
	}
	// register runs podecs register; the table's column padding is collapsed to one space.
	register := func(t *testing.T, path string, extra ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"register", "-f", path, "--region", "us-east-1", "--endpoint-url", endpoint, "--config", cfg, "--create-cluster"}, extra...)
		code, out, errOut := runCLI(t, "", args...)
		assertNoSecrets(t, out, errOut)
		return code, spaces.ReplaceAllString(out, "$1 "), errOut
	}
	resourceID := "service/" + cluster + "/" + name

	t.Run("a dry run plans the scaling and changes nothing", func(t *testing.T) {
		code, out, errOut := register(t, manifest(6, 70), "--dry-run")
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "register scalable-target "+resourceID+" -\n    (the scalable target does not exist)\n")
		assert.Contains(t, out, "create scaling-policy scaled-web-cpu -")
		got := awsCLI(t, endpoint, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", resourceID)
		assert.Empty(t, got["ScalableTargets"])
	})

	t.Run("the first run registers the target and the policy after the service", func(t *testing.T) {
		code, out, errOut := register(t, manifest(6, 70), "--verbose")
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "application-autoscaling: RegisterScalableTarget resourceId="+resourceID+"\n", "--verbose shows each call")
		assert.Contains(t, errOut, "application-autoscaling: PutScalingPolicy resourceId="+resourceID+" policyName=scaled-web-cpu\n")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 5, out)
		assert.True(t, strings.HasPrefix(lines[2], "created service"), lines[2])
		assert.True(t, strings.HasPrefix(lines[3], "registered scalable-target "+resourceID+" arn:aws:"), lines[3])
		assert.True(t, strings.HasPrefix(lines[4], "created scaling-policy scaled-web-cpu arn:aws:"), lines[4])
		got := awsCLI(t, endpoint, "application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs", "--resource-id", resourceID)
		policies := got["ScalingPolicies"].([]any)
		require.Len(t, policies, 1)
		cfg := policies[0].(map[string]any)["TargetTrackingScalingPolicyConfiguration"].(map[string]any)
		assert.EqualValues(t, 70, cfg["TargetValue"])
	})

	t.Run("a re-run changes nothing", func(t *testing.T) {
		code, out, errOut := register(t, manifest(6, 70), "--output", "json")
		require.Equal(t, exitOK, code, errOut)
		var entries []registerEntry
		require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
		require.Len(t, entries, 5)
		for _, e := range entries {
			assert.Equal(t, "unchanged", e.Action, "%+v", e)
		}
		assert.Equal(t, "scalable-target", string(entries[3].Kind))
	})

	t.Run("a changed autoscaler updates only the scaling", func(t *testing.T) {
		code, out, errOut := register(t, manifest(9, 55), "--dry-run")
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "    MaxCapacity: 6 → 9\n")
		assert.Contains(t, out, "    TargetTrackingScalingPolicyConfiguration.TargetValue: 70 → 55\n")
		code, out, errOut = register(t, manifest(9, 55))
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "unchanged taskdef")
		assert.Contains(t, out, "unchanged service")
		assert.Contains(t, out, "updated scalable-target")
		assert.Contains(t, out, "updated scaling-policy")
		code, out, errOut = register(t, manifest(9, 55))
		require.Equal(t, exitOK, code, errOut)
		assert.NotContains(t, out, "updated")
	})

	t.Run("a scaling file as convert writes it is registered as it is", func(t *testing.T) {
		out := t.TempDir()
		code, _, errOut := runCLI(t, "", "convert", "-f", manifest(12, 55), "--config", cfg, "-o", out)
		require.Equal(t, exitOK, code, errOut)
		code, stdout, errOut := register(t, out)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, stdout, "updated scalable-target")
		assert.Contains(t, stdout, "unchanged scaling-policy")
		got := awsCLI(t, endpoint, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", resourceID)
		assert.EqualValues(t, 12, got["ScalableTargets"].([]any)[0].(map[string]any)["MaxCapacity"])
	})
}
