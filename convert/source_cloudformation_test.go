package convert

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	cfnecs "github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloudFormationCoverage proves that every property of every struct reachable from
// AWS::ECS::TaskDefinition and AWS::ECS::Service lands on an API member it can be copied to
// (or is listed in cfnFieldNames as having none), and that every entry of cfnFieldNames is used.
func TestCloudFormationCoverage(t *testing.T) {
	used := map[string]bool{}
	var problems []string
	var walk func(src, dst reflect.Type, path string)
	walk = func(src, dst reflect.Type, path string) {
		for src.Kind() == reflect.Pointer {
			src = src.Elem()
		}
		for dst.Kind() == reflect.Pointer {
			dst = dst.Elem()
		}
		switch {
		case src.Kind() == reflect.Struct && dst.Kind() == reflect.Struct:
			for i := range src.NumField() {
				f := src.Field(i)
				if !f.IsExported() || strings.HasPrefix(f.Name, "AWSCloudFormation") {
					continue
				}
				key := src.Name() + "." + f.Name
				if _, ok := cfnFieldNames[key]; ok {
					used[key] = true
				}
				member, ok := cfnFieldName(src, f)
				if !ok {
					continue
				}
				df, ok := dst.FieldByName(member)
				if !ok {
					problems = append(problems, path+"."+f.Name+": no API member "+dst.Name()+"."+member)
					continue
				}
				walk(f.Type, df.Type, path+"."+f.Name)
			}
		case src.Kind() == reflect.Slice && dst.Kind() == reflect.Slice:
			walk(src.Elem(), dst.Elem(), path+"[]")
		case src.Kind() == reflect.Map && dst.Kind() == reflect.Map && src.Elem().Kind() == reflect.String && dst.Elem().Kind() == reflect.String:
		case src.Kind() == reflect.String && dst.Kind() == reflect.String,
			src.Kind() == reflect.Bool && dst.Kind() == reflect.Bool,
			src.Kind() == reflect.Int && dst.Kind() >= reflect.Int && dst.Kind() <= reflect.Int64,
			src.Kind() == reflect.Float64 && (dst.Kind() == reflect.Float64 || dst.Kind() >= reflect.Int && dst.Kind() <= reflect.Int64):
		default:
			problems = append(problems, path+": "+src.String()+" cannot be copied to "+dst.String())
		}
	}
	walk(reflect.TypeFor[cfnecs.TaskDefinition](), reflect.TypeFor[ecs.RegisterTaskDefinitionInput](), "TaskDefinition")
	walk(reflect.TypeFor[cfnecs.Service](), reflect.TypeFor[ecs.CreateServiceInput](), "Service")
	assert.Empty(t, problems)
	for k := range cfnFieldNames {
		assert.True(t, used[k], "cfnFieldNames[%q] is not a field of any type read", k)
	}
}

// TestCloudFormationLibraryGaps: the properties CloudFormation has and the typed library predates
// are read (coerced as the typed ones are) onto their API members; a wrong value is an error
// naming the property; a list parameter without a default is a list of one placeholder.
func TestCloudFormationLibraryGaps(t *testing.T) {
	const tmpl = `
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      EnableFaultInjection: "true"
      ContainerDefinitions:
        - Name: web
          Image: nginx:1.27
          VersionConsistency: disabled
          RestartPolicy: {Enabled: true, IgnoredExitCodes: [0, "2"], RestartAttemptPeriod: 60}
  Service:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: web
      TaskDefinition: !Ref Task
      AvailabilityZoneRebalancing: ENABLED
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: !Ref Subnets}}
`
	read := func(text string) (map[string]map[string]any, []*DocError) {
		docs := map[string]map[string]any{}
		var errs []*DocError
		err := ReadDocuments(strings.NewReader(text), "stack.yaml", ReadOptions{}, func(d Document) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(d.JSON, &m))
			docs[d.Resource] = m
		}, func(e *DocError) { errs = append(errs, e) })
		require.NoError(t, err)
		return docs, errs
	}
	docs, errs := read(tmpl)
	require.Empty(t, errs)
	td, svc := docs["Resources.Task"], docs["Resources.Service"]
	assert.Equal(t, true, td["enableFaultInjection"])
	cd := td["containerDefinitions"].([]any)[0].(map[string]any)
	assert.Equal(t, "disabled", cd["versionConsistency"])
	assert.Equal(t, map[string]any{"enabled": true, "ignoredExitCodes": []any{0.0, 2.0}, "restartAttemptPeriod": 60.0}, cd["restartPolicy"])
	assert.Equal(t, "ENABLED", svc["availabilityZoneRebalancing"])
	assert.Equal(t, []any{"${Subnets}"}, svc["networkConfiguration"].(map[string]any)["awsvpcConfiguration"].(map[string]any)["subnets"])

	_, errs = read(strings.Replace(tmpl, "Enabled: true", "Enabled: maybe", 1))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "ContainerDefinitions[0].RestartPolicy.Enabled")
	assert.Contains(t, errs[0].Error(), "true or false")
}
