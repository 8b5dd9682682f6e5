package convert

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	cfnecs "github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/stretchr/testify/assert"
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
