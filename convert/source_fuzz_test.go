package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// sourceSeeds adds the source fixtures matching a pattern as seeds.
func sourceSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, _ := filepath.Glob(filepath.Join(sourceFixtures, p))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
}

// readSource runs a source reader twice and checks what every reader promises: no panic, only
// documents of ECS inputs (or findings), each valid JSON, errors that name the file, and the same
// result both times.
func readSource(t *testing.T, file string, read func(fn func(Document), onErr func(*DocError)) error) {
	// A hang guard, not a speed test: any input must finish.
	guard := time.AfterFunc(20*time.Second, func() { panic("one input took more than 20s") })
	defer guard.Stop()
	run := func() (out []string) {
		_ = read(func(d Document) {
			if d.Format != FormatTaskDefinition && d.Format != FormatService && len(d.Findings) == 0 {
				t.Fatalf("%s: a document that is neither ECS input nor findings", d.DocRef)
			}
			if d.JSON != nil && !json.Valid(d.JSON) {
				t.Fatalf("%s: invalid JSON", d.DocRef)
			}
			out = append(out, string(d.JSON))
		}, func(e *DocError) {
			if !strings.Contains(e.Error(), file) {
				t.Fatalf("an error that does not name %s: %v", file, e)
			}
			out = append(out, e.Error())
		})
		return out
	}
	if a, b := run(), run(); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("reading is not deterministic")
	}
}

// FuzzCloudFormation reads a template, YAML or JSON, and converts what it gives.
func FuzzCloudFormation(f *testing.F) {
	sourceSeeds(f, "cloudformation/*.yaml", "cdk/cdk.out/*.template.json")
	f.Add([]byte("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: a, Image: !Select [1, !Split [',', 'x']]}]\n"))
	f.Add([]byte("{\"Resources\": {\"S\": {\"Type\": \"AWS::ECS::Service\", \"Condition\": \"C\"}}, \"Conditions\": {\"C\": {\"Fn::Equals\": [{\"Ref\": \"AWS::Region\"}]}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		guard := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("one input took more than 20s: %q", data)) })
		defer guard.Stop()
		so := SourceOptions{Region: "eu-west-1", Parameters: map[string]string{"ImageTag": "1"}}
		readSource(t, "fuzz.yaml", func(fn func(Document), onErr func(*DocError)) error {
			return ReadDocuments(bytes.NewReader(data), "fuzz.yaml", ReadOptions{MaxDocumentBytes: 1 << 20, Sources: so}, fn, onErr)
		})
		c := NewConverter(Options{})
		_ = ReadDocuments(bytes.NewReader(data), "fuzz.yaml", ReadOptions{MaxDocumentBytes: 1 << 20, Sources: so}, c.Add, func(e *DocError) { c.AddError(e) })
		c.Finish()
	})
}

// FuzzTerraform reads a module of one file, with a .tfvars file and a template beside it.
func FuzzTerraform(f *testing.F) {
	sourceSeeds(f, "terraform/*.tf")
	f.Add([]byte("resource \"aws_ecs_service\" \"s\" {\n  count = 2\n  name = \"s-${count.index}\"\n  task_definition = aws_ecs_task_definition.t[count.index].arn\n}\n"))
	f.Add([]byte("locals { a = local.b\n b = local.a }\nresource \"aws_ecs_task_definition\" \"t\" { family = local.a }\n"))
	f.Add([]byte("variable \"app\" {\n  type = object({ name = optional(string, \"web\"), ports = optional(list(number), [80]) })\n  default = {}\n}\n" +
		"data \"aws_availability_zones\" \"a\" {}\nlocals { azs = slice(data.aws_availability_zones.a.names, 0, 3) }\n" +
		"module \"defs\" {\n  source = \"./child\"\n  for_each = toset([var.app.name])\n  name = each.key\n}\n" +
		"resource \"aws_ecs_task_definition\" \"t\" {\n  family = try(var.app.name, \"x\")\n  container_definitions = jsonencode([for k, v in module.defs : v.def])\n" +
		"  dynamic \"volume\" {\n    for_each = can(local.azs[0]) ? local.azs : []\n    iterator = az\n    content { name = az.value }\n  }\n}\n"))
	f.Add([]byte("module \"r\" { source = \"acme/x/aws\" }\nresource \"aws_ecs_service\" \"s\" {\n  name = module.r.name\n  desired_count = module.r.n\n" +
		"  network_configuration { subnets = module.r.subnets }\n  task_definition = module.r.td != null ? module.r.td : \"x\"\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"m/main.tf":               {Data: data},
			"m/child/main.tf":         {Data: []byte("variable \"name\" {}\noutput \"def\" { value = { name = var.name, image = \"x\" } }\n")},
			"m/terraform.tfvars":      {Data: []byte("image_tag = \"1\"\n")},
			"m/otel-sidecar.json.tpl": {Data: []byte("{\"name\": \"${name}\", \"image\": \"x\"}")},
		}
		so := SourceOptions{Files: fsys, Vars: map[string]string{"desired_count": "3"}}
		readSource(t, "m", func(fn func(Document), onErr func(*DocError)) error {
			return ReadTerraform("m", so, fn, onErr)
		})
	})
}

// FuzzEcspresso reads a project whose task definition is the input: a template over JSON.
func FuzzEcspresso(f *testing.F) {
	f.Add([]byte(`{"family": "a", "containerDefinitions": [{"name": "a", "image": "x:{{ must_env ` + "`TAG`" + ` }}"}]}`))
	f.Add([]byte(`{"taskDefinition": {"family": "{{ env "F" "a" }}", "containerDefinitions": [{"name": "a", "image": "{{ tfstate ` + "`x`" + ` | json_escape }}"}]}}`))
	f.Add([]byte(`{{ define "x" }}{{ ssm "/a" 1 }}{{ end }}{"family": "{{ template "x" }}", "containerDefinitions": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"p/ecspresso.yml": {Data: []byte("cluster: c\nservice: s\ntask_definition: td.json\nservice_definition: sv.json\n")},
			"p/td.json":       {Data: data},
			"p/sv.json":       {Data: []byte(`{"desiredCount": 2, "launchType": "FARGATE", "status": "ACTIVE"}`)},
		}
		so := SourceOptions{Files: fsys, Env: func(k string) (string, bool) { return "v", k == "TAG" }}
		readSource(t, "p/", func(fn func(Document), onErr func(*DocError)) error {
			return ReadEcspresso("p/ecspresso.yml", so, fn, onErr)
		})
	})
}
