package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/motoserver"
)

// awsCLI runs the aws command line against the moto endpoint and returns its parsed output.
func awsCLI(t *testing.T, endpoint string, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = motoserver.Env(endpoint)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "aws %s: %s", strings.Join(args, " "), out)
	var v map[string]any
	if len(strings.TrimSpace(string(out))) > 0 {
		require.NoError(t, json.Unmarshal(out, &v), "%s", out)
	}
	return v
}

// TestGoldenOutputsAcceptedByECS sends every golden task definition through the awscli's parameter
// validation (the ECS service model) into moto, and creates every golden service.
func TestGoldenOutputsAcceptedByECS(t *testing.T) {
	endpoint := motoserver.Endpoint(t)
	motoserver.RequireAWSCLI(t)
	t.Chdir("../..")
	tds, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*.taskdef.json")
	require.NoError(t, err)
	require.NotEmpty(t, tds)
	t.Run("register", func(t *testing.T) {
		for _, td := range tds {
			t.Run(filepath.Base(td), func(t *testing.T) {
				t.Parallel()
				out := awsCLI(t, endpoint, "ecs", "register-task-definition", "--cli-input-json", "file://"+td)
				got := out["taskDefinition"].(map[string]any)
				var want map[string]any
				data, err := os.ReadFile(td)
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(data, &want))
				require.Equal(t, want["family"], got["family"])
				require.Len(t, got["containerDefinitions"], len(want["containerDefinitions"].([]any)))
			})
		}
	})

	// Services need their cluster and, under awsvpc, subnets and security groups that exist.
	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet := awsCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	sg := awsCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "podecs-test", "--description", "podecs test", "--vpc-id", vpc)["GroupId"].(string)
	svcs, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*.service.json")
	require.NoError(t, err)
	require.NotEmpty(t, svcs)
	for _, path := range svcs {
		t.Run("create-service/"+filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var svc map[string]any
			require.NoError(t, json.Unmarshal(data, &svc))
			if nc, ok := svc["networkConfiguration"].(map[string]any); ok {
				aw := nc["awsvpcConfiguration"].(map[string]any)
				aw["subnets"], aw["securityGroups"] = []string{subnet}, []string{sg}
			}
			awsCLI(t, endpoint, "ecs", "create-cluster", "--cluster-name", svc["cluster"].(string))
			patched := filepath.Join(t.TempDir(), filepath.Base(path))
			data, err = json.Marshal(svc)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(patched, data, 0o644))
			out := awsCLI(t, endpoint, "ecs", "create-service", "--cli-input-json", "file://"+patched)
			got := out["service"].(map[string]any)
			require.Equal(t, svc["serviceName"], got["serviceName"])
			require.Contains(t, got["taskDefinition"], ":task-definition/"+svc["taskDefinition"].(string)+":")
			if want, ok := svc["desiredCount"]; ok {
				require.Equal(t, want, got["desiredCount"])
			}
		})
	}
}
