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

// TestCloudFormationCreateStackOnMoto creates the CloudFormation template of each kind's fixture
// as a stack on moto (aws cloudformation create-stack), then reads back what it made: the task
// definitions hold the containers of the api format, the services run them, the target groups
// exist. moto 5.2.1 creates AWS::ECS::TaskDefinition (family, containers, volumes, memory),
// AWS::ECS::Service (cluster, name, task definition, desired count) and
// AWS::ElasticLoadBalancingV2::TargetGroup from a template; it skips the Application Auto Scaling
// resources, and fails on an output of an AWS::Scheduler::Schedule, which it does not know, so the
// CronJob's schedules and their outputs are taken out of its template here (their properties are
// checked by the typed library in package render).
func TestCloudFormationCreateStackOnMoto(t *testing.T) {
	endpoint := motoserver.Endpoint(t)
	motoserver.RequireAWSCLI(t)
	t.Chdir("../..")
	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	run := time.Now().UnixNano() % 1e9
	for _, fixture := range []string{"service-connect", "service-loadbalancer", "hpa", "statefulset-claims", "cronjob-schedule", "files"} {
		t.Run(fixture, func(t *testing.T) {
			dir := t.TempDir()
			code, _, stderr := runCLI(t, "", formatArgs(t, "cloudformation", fixture, filepath.Join(dir, "cfn"))...)
			require.Equal(t, 0, code, stderr)
			args, _ := k8sFixtures(t)[fixture]
			code, _, stderr = runCLI(t, "", append(args, "-o", filepath.Join(dir, "api"))...)
			require.Equal(t, 0, code, stderr)

			code, _, stderr = runCLI(t, "", append(formatArgs(t, "cloudformation", fixture, filepath.Join(dir, "cfn")), "--output-format", "json")...)
			require.Equal(t, 0, code, stderr)
			tpl, body := stackTemplate(t, filepath.Join(dir, "cfn"))
			cluster := fmt.Sprintf("cfn-%s-%d", fixture, run)
			awsCLI(t, endpoint, "ecs", "create-cluster", "--cluster-name", cluster)
			params := []string{"ParameterKey=Cluster,ParameterValue=" + cluster}
			for name, p := range tpl["Parameters"].(map[string]any) {
				if _, ok := p.(map[string]any)["Default"]; ok {
					continue
				}
				value := "arn:aws:iam::123456789012:role/" + name
				switch {
				case name == "VpcId":
					value = vpc
				case p.(map[string]any)["Type"] == "CommaDelimitedList":
					value = "placeholder-" + strings.ToLower(name)
				}
				params = append(params, "ParameterKey="+name+",ParameterValue="+value)
			}
			stack := fmt.Sprintf("podecs-%s-%d", fixture, run)
			awsCLI(t, endpoint, append([]string{"cloudformation", "create-stack", "--stack-name", stack, "--template-body", "file://" + body, "--parameters"}, params...)...)
			t.Cleanup(func() { awsCLI(t, endpoint, "cloudformation", "delete-stack", "--stack-name", stack) })
			st := awsCLI(t, endpoint, "cloudformation", "describe-stacks", "--stack-name", stack)["Stacks"].([]any)[0].(map[string]any)
			require.Equal(t, "CREATE_COMPLETE", st["StackStatus"], "%v", st["StackStatusReason"])

			apiFiles := readTree(t, filepath.Join(dir, "api"))
			tds := 0
			for name, content := range apiFiles {
				family, ok := strings.CutSuffix(name, ".taskdef.json")
				if !ok {
					continue
				}
				tds++
				var want map[string]any
				require.NoError(t, json.Unmarshal([]byte(content), &want))
				got := awsCLI(t, endpoint, "ecs", "describe-task-definition", "--task-definition", family)["taskDefinition"].(map[string]any)
				wantCDs := want["containerDefinitions"].([]any)
				gotCDs := got["containerDefinitions"].([]any)
				require.Len(t, gotCDs, len(wantCDs), family)
				for i := range wantCDs {
					assertContains(t, wantCDs[i], gotCDs[i], fmt.Sprintf("%s containerDefinitions[%d]", family, i))
				}
				if svc, ok := apiFiles[family+".service.json"]; ok {
					var ws map[string]any
					require.NoError(t, json.Unmarshal([]byte(svc), &ws))
					out := awsCLI(t, endpoint, "ecs", "describe-services", "--cluster", cluster, "--services", family)["services"].([]any)
					require.Len(t, out, 1, family)
					s := out[0].(map[string]any)
					assert.Equal(t, family, s["serviceName"])
					assert.Contains(t, s["taskDefinition"], "task-definition/"+family+":")
					if dc, ok := ws["desiredCount"]; ok {
						assert.EqualValues(t, dc, s["desiredCount"])
					}
				}
				if tg, ok := apiFiles[family+".targetgroup.json"]; ok {
					var hc map[string]any
					require.NoError(t, json.Unmarshal([]byte(tg), &hc))
					groups := awsCLI(t, endpoint, "elbv2", "describe-target-groups")["TargetGroups"].([]any)
					found := 0
					for _, g := range groups {
						g := g.(map[string]any)
						if g["VpcId"] == vpc && g["HealthCheckPath"] == hc["HealthCheckPath"] {
							found++
						}
					}
					assert.NotZero(t, found, "a target group with the readiness probe's health check")
				}
			}
			require.NotZero(t, tds)
		})
	}
}

// stackTemplate reads the templates of dir and returns the one to create on moto: the YAML
// template as written, or, when it has AWS::Scheduler::Schedule resources, which moto cannot
// create, the JSON template without them and the outputs that refer to them.
func stackTemplate(t *testing.T, dir string) (map[string]any, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "template.json"))
	require.NoError(t, err)
	var tpl map[string]any
	require.NoError(t, json.Unmarshal(data, &tpl))
	resources := tpl["Resources"].(map[string]any)
	schedules := 0
	for id, r := range resources {
		if r.(map[string]any)["Type"] == "AWS::Scheduler::Schedule" {
			schedules++
			delete(resources, id)
			if outs, ok := tpl["Outputs"].(map[string]any); ok {
				delete(outs, id+"Arn")
			}
		}
	}
	if schedules == 0 {
		return tpl, filepath.Join(dir, "template.yaml")
	}
	body := filepath.Join(dir, "stack.json")
	data, err = json.Marshal(tpl)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(body, data, 0o644))
	return tpl, body
}

// assertContains checks that every member of want is in got with the same value (got may add
// the API's defaults).
func assertContains(t *testing.T, want, got any, path string) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !assert.True(t, ok, "%s: %v is not an object", path, got) {
			return
		}
		for k, v := range w {
			assertContains(t, v, g[k], path+"."+k)
		}
	case []any:
		g, ok := got.([]any)
		if !assert.True(t, ok, "%s: %v is not a list", path, got) || !assert.Len(t, g, len(w), path) {
			return
		}
		for i := range w {
			assertContains(t, w[i], g[i], fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		assert.EqualValues(t, want, got, path)
	}
}
