package convert

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/internal/botocore"
)

// osTestFiles reads the fixtures from the working directory, as the CLI's file system does.
type osTestFiles struct{}

func (osTestFiles) Open(name string) (fs.File, error) { return os.Open(filepath.FromSlash(name)) }

const sourceFixtures = "../testdata/fixtures/sources"

// sourceCase is a fixture of one source and the directory of the same definitions as API JSON.
type sourceCase struct {
	read func(so SourceOptions, fn func(Document), onErr func(*DocError)) error
	api  string
	so   SourceOptions
}

func readFileDocs(names ...string) func(SourceOptions, func(Document), func(*DocError)) error {
	return func(so SourceOptions, fn func(Document), onErr func(*DocError)) error {
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				return err
			}
			if err := ReadDocuments(bytes.NewReader(data), n, ReadOptions{Sources: so}, fn, onErr); err != nil {
				return err
			}
		}
		return nil
	}
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func sourceCases() map[string]sourceCase {
	dir := func(p string) string { return sourceFixtures + "/" + p }
	return map[string]sourceCase{
		"console": {read: readFileDocs(dir("console/worker.taskdef.json"), dir("console/worker.service.json")), api: dir("api/console")},
		"cloudformation": {read: readFileDocs(dir("cloudformation/payments.yaml")), api: dir("api/cloudformation"),
			so: SourceOptions{Region: "eu-central-1", Parameters: map[string]string{"ImageTag": "3.2.0", "AWS::AccountId": "123456789012"}}},
		"cdk": {read: readFileDocs(dir("cdk/cdk.out/ShopStack.template.json")), api: dir("api/cdk"),
			so: SourceOptions{Region: "us-east-1", Parameters: map[string]string{"AWS::AccountId": "123456789012"}}},
		"terraform": {read: func(so SourceOptions, fn func(Document), onErr func(*DocError)) error {
			return ReadTerraform(dir("terraform"), so, fn, onErr)
		}, api: dir("api/terraform"), so: SourceOptions{VarFiles: []string{dir("terraform/prod.tfvars")}}},
		"ecspresso": {read: func(so SourceOptions, fn func(Document), onErr func(*DocError)) error {
			return ReadEcspresso(dir("ecspresso/ecspresso.yml"), so, fn, onErr)
		}, api: dir("api/ecspresso"), so: SourceOptions{Env: envOf(map[string]string{"IMAGE_TAG": "1.8.0", "APP_ENV": "staging"})}},
	}
}

// TestSourcesMatchAPIJSON reads every source fixture and the same definitions as API JSON: the
// Kubernetes manifests are byte for byte the same, pass the API validation, and convert back to
// the API JSON's task definition and service.
func TestSourcesMatchAPIJSON(t *testing.T) {
	for name, c := range sourceCases() {
		t.Run(name, func(t *testing.T) {
			c.so.Files = osTestFiles{}
			conv := NewConverter(Options{})
			require.NoError(t, c.read(c.so, conv.Add, func(e *DocError) { conv.AddError(e) }))
			res := conv.Finish()
			require.Empty(t, res.Errors)
			require.NotEmpty(t, res.Manifests)
			files, err := filepath.Glob(filepath.Join(c.api, "*.json"))
			require.NoError(t, err)
			want := rvConvertFiles(t, files, Options{})
			require.Empty(t, want.Errors)
			assert.Equal(t, string(rvManifestsYAML(t, want.Manifests)), string(rvManifestsYAML(t, res.Manifests)))
			for _, m := range res.Manifests {
				y, err := m.YAML()
				require.NoError(t, err)
				rvValidateManifest(t, y)
				out, _ := rvBackToECS(t, y)
				rvRequireSameECS(t, m.in.TaskDefinition, out.TaskDefinition, "task definition")
				if m.in.Service != nil {
					rvRequireSameECS(t, m.in.Service, out.Service, "service")
				}
			}
		})
	}
}

// TestConsoleReadOnlyMembers: the members the bare TaskDefinition and Service objects have and
// the register inputs have not, which the reader reports as read-only, are exactly the ones the
// service model gives only in outputs.
func TestConsoleReadOnlyMembers(t *testing.T) {
	type shape struct {
		Members map[string]json.RawMessage `json:"members"`
	}
	shapes := botocore.Shapes[shape](t, "ecs")
	members := func(typ reflect.Type) map[string]bool {
		out := map[string]bool{}
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() && f.Name != "noSmithyDocumentSerde" {
				out[ecsjson.MemberName(f.Name)] = true
			}
		}
		return out
	}
	for _, c := range []struct {
		output, input   string
		outType, inType reflect.Type
	}{
		{"TaskDefinition", "RegisterTaskDefinitionRequest", reflect.TypeFor[types.TaskDefinition](), reflect.TypeFor[ecs.RegisterTaskDefinitionInput]()},
		{"Service", "CreateServiceRequest", reflect.TypeFor[types.Service](), reflect.TypeFor[ecs.CreateServiceInput]()},
	} {
		var model, sdk []string
		for m := range shapes[c.output].Members {
			if _, in := shapes[c.input].Members[m]; !in {
				model = append(model, m)
			}
		}
		in := members(c.inType)
		for m := range members(c.outType) {
			if !in[m] {
				sdk = append(sdk, m)
			}
		}
		require.NotEmpty(t, model)
		assert.ElementsMatch(t, model, sdk, "%s members that %s has not", c.output, c.input)
	}
}

// TestTerraformInstances: for_each and count make one workload per instance, and a service's
// reference to an instance of a task definition names that instance's family.
func TestTerraformInstances(t *testing.T) {
	fsys := fstest.MapFS{"m/main.tf": {Data: []byte(`
variable "apps" {
  default = { api = 8080, worker = 9090 }
}
resource "aws_ecs_task_definition" "app" {
  for_each = var.apps
  family   = "shop-${each.key}"
  container_definitions = jsonencode([{ name = each.key, image = "shop/${each.key}:1", portMappings = [{ containerPort = each.value }] }])
}
resource "aws_ecs_service" "app" {
  for_each        = var.apps
  name            = each.key
  task_definition = aws_ecs_task_definition.app[each.key].arn
  desired_count   = 2
}
resource "aws_ecs_task_definition" "job" {
  count  = 2
  family = "job-${count.index}"
  container_definitions = jsonencode([{ name = "job", image = "job:1" }])
}
resource "aws_ecs_service" "job" {
  name            = "job"
  task_definition = aws_ecs_task_definition.job[1].family
}
`)}}
	conv := NewConverter(Options{})
	require.NoError(t, ReadTerraform("m", SourceOptions{Files: fsys}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	res := conv.Finish()
	require.Empty(t, res.Errors)
	byName := map[string]string{}
	for _, m := range res.Manifests {
		byName[m.Name] = aws.ToString(m.in.TaskDefinition.Family) + " " + m.Doc.Resource
	}
	assert.Equal(t, map[string]string{
		"api":    `shop-api aws_ecs_service.app["api"]`,
		"worker": `shop-worker aws_ecs_service.app["worker"]`,
		"job":    `job-1 aws_ecs_service.job`,
		"job-0":  `job-0 aws_ecs_task_definition.job[0]`,
	}, byName)
}

// BenchmarkReadSources reads each source fixture into documents (templates and modules parsed,
// intrinsics, HCL and Jsonnet evaluated), without converting them.
func BenchmarkReadSources(b *testing.B) {
	for _, name := range []string{"cloudformation", "cdk", "terraform", "ecspresso"} {
		c := sourceCases()[name]
		c.so.Files = osTestFiles{}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := c.read(c.so, func(Document) { n++ }, func(e *DocError) { b.Fatal(e) }); err != nil || n == 0 {
					b.Fatal(err, n)
				}
			}
		})
	}
}

// TestIsEcspressoConfig: a config is known by a top-level task_definition key whatever the file
// is named; the key deeper in a document (a Terraform JSON resource, a nested map) is not one.
func TestIsEcspressoConfig(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       bool
	}{
		{"config/prod.yml", "region: eu-west-1\ncluster: prod\nservice: web\ntask_definition: td.json\n", true},
		{"deploy.yaml", "---\n\"task_definition\": td.jsonnet\n", true},
		{"values.yaml", "app:\n  task_definition: td.json\n", false},
		{"prod.json", `{"cluster": "prod", "plugins": [{"name": "tfstate"}], "service_definition": "sv.json", "task_definition": "td.json"}`, true},
		{"prod.json", `{"cluster": {"task_definition": "x"}, "tags": ["task_definition"]}`, false},
		{"list.json", `[{"task_definition": "td.json"}]`, false},
		{"cut.json", `{"cluster": "prod", "service": "we`, false},
		{"prod.jsonnet", "local env = 'prod';\n{\n  cluster: env,\n  task_definition : 'td.jsonnet',\n}\n", true},
		{"td.jsonnet", "{\n  family: 'web',\n  taskRoleArn: 'task_definition',\n}\n", false},
		{"main.tf", "task_definition: x\n", false},
	} {
		assert.Equal(t, c.want, IsEcspressoConfig(c.name, []byte(c.data)), "%s: %s", c.name, c.data)
	}
}

// TestTaskDefinitionWithTagsInside: ecspresso writes a task definition as the TaskDefinition
// object with its tags inside, bare or in describe-task-definition's wrapper: both read, the
// tags are the task definition's; another unknown member is still an error naming it.
func TestTaskDefinitionWithTagsInside(t *testing.T) {
	const td = `{"family": "web", "revision": 4, "status": "ACTIVE",
  "containerDefinitions": [{"name": "web", "image": "nginx"}],
  "tags": [{"key": "team", "value": "core"}]}`
	for name, js := range map[string]string{
		"bare":    td,
		"wrapped": `{"taskDefinition": ` + td + `, "tags": [{"key": "env", "value": "prod"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			ins, err := DecodeECS(Document{DocRef: DocRef{Source: "td.json", Index: 1}, Format: FormatTaskDefinition, JSON: []byte(js)})
			require.NoError(t, err)
			require.Len(t, ins, 1)
			got := map[string]string{}
			for _, tag := range ins[0].TaskDefinition.Tags {
				got[*tag.Key] = *tag.Value
			}
			want := map[string]string{"team": "core"}
			if name == "wrapped" {
				want["env"] = "prod"
			}
			assert.Equal(t, want, got)
			assert.Equal(t, "web", *ins[0].TaskDefinition.Family)
		})
	}
	_, err := DecodeECS(Document{DocRef: DocRef{Source: "td.json", Index: 1}, Format: FormatTaskDefinition,
		JSON: []byte(`{"family": "web", "status": "ACTIVE", "colour": "blue", "containerDefinitions": [{"name": "web", "image": "nginx"}], "tags": []}`)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status: unknown field")
}
