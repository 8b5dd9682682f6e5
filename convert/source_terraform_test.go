package convert

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tfRead reads the module "root" of files and gives its documents by resource address (the
// register input as a generic JSON tree), its findings as "resource path: message" lines, and
// its errors.
type tfResult struct {
	docs     map[string]map[string]any
	findings []string
	errors   []string
}

func tfRead(t *testing.T, files map[string]string, so SourceOptions) tfResult {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	so.Files = fsys
	res := tfResult{docs: map[string]map[string]any{}}
	err := ReadTerraform("root", so, func(d Document) {
		for _, f := range d.Findings {
			res.findings = append(res.findings, d.Resource+" "+f.Path+": "+f.Message)
		}
		if d.JSON == nil {
			return
		}
		var tree map[string]any
		require.NoError(t, json.Unmarshal(d.JSON, &tree))
		res.docs[d.Resource] = tree
	}, func(e *DocError) { res.errors = append(res.errors, e.Error()) })
	require.NoError(t, err)
	sort.Strings(res.findings)
	return res
}

// at follows a path of keys and indexes in a JSON tree.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "not an object at %v: %v", p, v)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok && k < len(l), "no element %d: %v", k, v)
			v = l[k]
		}
	}
	return v
}

func (r tfResult) finding(t *testing.T, substr string) string {
	t.Helper()
	for _, f := range r.findings {
		if strings.Contains(f, substr) {
			return f
		}
	}
	t.Fatalf("no finding with %q in\n%s", substr, strings.Join(r.findings, "\n"))
	return ""
}

const tfContainers = `jsonencode([{ name = "app", image = "nginx:1" }])`

// TestTerraformOptionalAttributes: Terraform 1.3 variable types with optional(type, default)
// parse, and the defaults apply to the value given and to the variable's default, nested too;
// nullable = false turns a null given into the default.
func TestTerraformOptionalAttributes(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
variable "app" {
  type = object({
    name   = string
    cpu    = optional(number, 256)
    ports  = optional(list(object({ port = number, protocol = optional(string, "tcp") })), [])
    labels = optional(map(string))
  })
}
variable "size" {
  type     = string
  default  = "small"
  nullable = false
}
resource "aws_ecs_task_definition" "app" {
  family = "${var.app.name}-${var.size}"
  cpu    = var.app.cpu
  container_definitions = jsonencode([{
    name = var.app.name, image = "nginx"
    portMappings = [for p in var.app.ports : { containerPort = p.port, protocol = p.protocol }]
    dockerLabels = var.app.labels
  }])
}
`, "root/terraform.tfvars": `app = { name = "web", ports = [{ port = 80 }] }
size = null
`}, SourceOptions{})
	require.Empty(t, r.errors)
	td := r.docs["aws_ecs_task_definition.app"]
	assert.Equal(t, "web-small", td["family"])
	assert.Equal(t, "256", td["cpu"])
	assert.Equal(t, map[string]any{"containerPort": 80.0, "protocol": "tcp"}, at(t, td, "containerDefinitions", 0, "portMappings", 0))
	assert.Nil(t, at(t, td, "containerDefinitions", 0, "dockerLabels"), "an optional attribute without default is null")
}

// TestTerraformLazyEvaluation: what no ECS resource needs is never evaluated and cannot fail
// the module (a local over a data source, a local calling a function that fails, a resource
// whose count is unknown); an error in what an ECS resource needs is an error naming the file
// and line of the failing expression.
func TestTerraformLazyEvaluation(t *testing.T) {
	files := map[string]string{"root/main.tf": `
data "aws_availability_zones" "available" {}
locals {
  azs     = slice(data.aws_availability_zones.available.names, 0, 3)
  broken  = parseint("x", 10)
  subnets = [for i, az in local.azs : cidrsubnet("10.0.0.0/16", 8, i)]
  family  = "web"
}
resource "aws_subnet" "private" {
  count      = length(local.azs)
  cidr_block = local.subnets[count.index]
}
resource "aws_ecs_task_definition" "app" {
  family                = local.family
  container_definitions = ` + tfContainers + `
}
`}
	r := tfRead(t, files, SourceOptions{})
	require.Empty(t, r.errors)
	assert.Equal(t, "web", r.docs["aws_ecs_task_definition.app"]["family"])

	files["root/other.tf"] = `
resource "aws_ecs_service" "app" {
  name            = "web"
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = local.broken
}
`
	r = tfRead(t, files, SourceOptions{})
	require.Len(t, r.errors, 1)
	assert.Contains(t, r.errors[0], "root/other.tf: aws_ecs_service.app: root/main.tf:5: desired_count = local.broken: ")
	assert.Contains(t, r.errors[0], `cannot parse "x" as a base 10 integer`)
	assert.Contains(t, r.docs, "aws_ecs_task_definition.app", "the task definition still converts")
}

// TestTerraformUnknownValues: references to other resources, data sources and outputs of
// modules podecs cannot read are unknown values, which propagate through functions,
// conditions and jsonencode; one that reaches an ECS field is a placeholder naming its origin,
// with a finding; where the API takes a number or an enumerated value it is left out with a
// finding, and where it takes a list of strings it becomes a list of it.
func TestTerraformUnknownValues(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
module "alb" {
  source = "git::https://example.com/alb.git"
}
data "aws_ssm_parameter" "image" { name = "/app/image" }
resource "aws_cloudwatch_log_group" "app" { name = "/ecs/web" }
resource "aws_iam_role" "task" { name = "web-task" }
locals {
  port = module.alb.port
}
resource "aws_ecs_task_definition" "app" {
  family        = "web"
  task_role_arn = aws_iam_role.task.arn
  network_mode  = module.alb.network_mode
  container_definitions = jsonencode([{
    name  = "app"
    image = nonsensitive(data.aws_ssm_parameter.image.value)
    portMappings = [{ containerPort = local.port }]
    environment = [{ name = "ROLE", value = upper(aws_iam_role.task.name) }, { name = "URL", value = "https://${module.alb.dns_name}/" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = { awslogs-group = aws_cloudwatch_log_group.app.name, awslogs-stream-prefix = aws_iam_role.task.id == "x" ? "a" : "b" }
    }
  }])
}
resource "aws_ecs_service" "app" {
  name            = "web"
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = module.alb.count
  network_configuration {
    subnets         = module.vpc.private_subnets
    security_groups = [module.alb.security_group_id]
  }
  load_balancer {
    target_group_arn = module.alb.target_groups["web"].arn
    container_name   = "app"
    container_port   = 80
  }
}
`}, SourceOptions{})
	require.Empty(t, r.errors)
	td, svc := r.docs["aws_ecs_task_definition.app"], r.docs["aws_ecs_service.app"]
	c := at(t, td, "containerDefinitions", 0)
	assert.Equal(t, "${data.aws_ssm_parameter.image.value}", at(t, c, "image"))
	assert.Equal(t, "/ecs/web", at(t, c, "logConfiguration", "options", "awslogs-group"), "an attribute the configuration sets is known")
	assert.Equal(t, "WEB-TASK", at(t, c, "environment", 0, "value"))
	assert.Equal(t, "${module.alb.dns_name}", at(t, c, "environment", 1, "value"))
	assert.Equal(t, "${aws_iam_role.task.id}", at(t, c, "logConfiguration", "options", "awslogs-stream-prefix"), "a condition over an unknown is unknown")
	assert.Equal(t, "${aws_iam_role.task.arn}", td["taskRoleArn"])
	assert.Nil(t, td["networkMode"], "an enumerated member cannot hold a placeholder")
	assert.Nil(t, at(t, c, "portMappings", 0, "containerPort"), "a number cannot hold a placeholder")
	r.finding(t, "aws_ecs_task_definition.app containerDefinitions[0].image: not known before deployment, kept as a placeholder to fill in: ${data.aws_ssm_parameter.image.value} (the value of data.aws_ssm_parameter.image (a data source))")
	r.finding(t, "aws_ecs_task_definition.app networkMode: not known before deployment: ${module.alb.network_mode}")
	r.finding(t, "containerDefinitions[0].portMappings[0].containerPort: not known before deployment: ${module.alb.port}")
	assert.Equal(t, "web", svc["taskDefinition"], "a task definition's ARN names its family")
	assert.Equal(t, []any{"${module.vpc.private_subnets}"}, at(t, svc, "networkConfiguration", "awsvpcConfiguration", "subnets"))
	assert.Equal(t, "${module.alb.target_groups[\"web\"].arn}", at(t, svc, "loadBalancers", 0, "targetGroupArn"))
	assert.Nil(t, svc["desiredCount"])
	r.finding(t, `module.vpc source: module vpc is not read: source "terraform-aws-modules/vpc/aws" is not a local directory`)
	r.finding(t, `module.alb source: module alb is not read: source "git::https://example.com/alb.git"`)
}

// TestTerraformLanguage: the parts of Terraform's language a module computes its ECS
// resources with.
func TestTerraformLanguage(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
provider "aws" {
  region = "eu-north-1"
}
data "aws_region" "current" {}
variable "apps" {
  default = {
    api    = { port = 8080, env = { A = "1" }, cmd = null }
    worker = { port = 9090, env = {}, cmd = ["run"] }
  }
}
locals {
  names   = [for k, v in var.apps : upper(k) if v.port > 8000]
  ports   = values(var.apps)[*].port
  first   = try(local.names[5], "none")
  ok      = can(regex("^api", "api-1"))
  label   = coalesce("", null, "fallback")
  tier    = lookup({ api = "front" }, "worker", "back")
  regions = { for r in ["eu-north-1", "us-east-1"] : r => length(r) }
}
resource "aws_ecs_task_definition" "app" {
  for_each = var.apps
  family   = "${each.key}-${terraform.workspace}"
  container_definitions = jsonencode([{
    name    = each.key
    image   = "${basename(path.cwd)}/${each.key}"
    command = each.value.cmd
    environment = concat(
      [for k, v in each.value.env : { name = k, value = v }],
      [{ name = "MODULE", value = path.module }, { name = "ROOT", value = path.root },
       { name = "NAMES", value = join(",", local.names) }, { name = "PORTS", value = jsonencode(local.ports) },
       { name = "FIRST", value = local.first }, { name = "OK", value = tostring(local.ok) },
       { name = "LABEL", value = local.label }, { name = "TIER", value = local.tier },
       { name = "REGION", value = data.aws_region.current.region }, { name = "LEN", value = tostring(local.regions["us-east-1"]) }]
    )
  }])
  dynamic "volume" {
    for_each = each.key == "api" ? ["cache", "tmp"] : []
    iterator = vol
    content {
      name = "${vol.value}-${vol.key}"
    }
  }
}
resource "aws_ecs_service" "app" {
  count           = 2
  name            = "svc-${count.index}"
  task_definition = aws_ecs_task_definition.app[keys(var.apps)[count.index]].arn
}
`}, SourceOptions{WorkDir: "/work/infra", Env: envOf(map[string]string{"TF_WORKSPACE": "prod"})})
	require.Empty(t, r.errors)
	api := r.docs[`aws_ecs_task_definition.app["api"]`]
	require.NotNil(t, api)
	assert.Equal(t, "api-prod", api["family"])
	c := at(t, api, "containerDefinitions", 0)
	assert.Equal(t, "root/api", c.(map[string]any)["image"], "path.cwd is the root module's directory")
	env := map[string]string{}
	for _, e := range at(t, c, "environment").([]any) {
		env[e.(map[string]any)["name"].(string)] = e.(map[string]any)["value"].(string)
	}
	assert.Equal(t, map[string]string{"A": "1", "MODULE": ".", "ROOT": ".", "NAMES": "API,WORKER", "PORTS": "[8080,9090]",
		"FIRST": "none", "OK": "true", "LABEL": "fallback", "TIER": "back", "REGION": "eu-north-1", "LEN": "9"}, env)
	assert.Nil(t, c.(map[string]any)["command"])
	assert.Equal(t, []any{map[string]any{"name": "cache-0"}, map[string]any{"name": "tmp-1"}}, api["volumes"])
	assert.Equal(t, []any{"run"}, at(t, r.docs[`aws_ecs_task_definition.app["worker"]`], "containerDefinitions", 0, "command"))
	assert.Nil(t, r.docs[`aws_ecs_task_definition.app["worker"]`]["volumes"])
	assert.Equal(t, "api-prod", r.docs["aws_ecs_service.app[0]"]["taskDefinition"])
	assert.Equal(t, "worker-prod", r.docs["aws_ecs_service.app[1]"]["taskDefinition"])
}

// TestTerraformModules: a module block with a local source is read with its arguments as the
// module's variables, once per instance; its ECS resources are named by their address, and its
// outputs are what its expressions give. A module terraform init downloaded is read from
// .terraform/modules.
func TestTerraformModules(t *testing.T) {
	files := map[string]string{
		"root/main.tf": `
module "svc" {
  source   = "../modules/service"
  for_each = { api = 8080, web = 80 }
  name     = each.key
  port     = each.value
}
module "remote" {
  source  = "acme/ecs/aws"
  version = "1.0.0"
  name    = "remote"
  port    = 1
}
resource "aws_ecs_service" "extra" {
  name            = "extra"
  task_definition = module.svc["web"].family
}
`,
		"modules/service/main.tf": `
variable "name" { type = string }
variable "port" { type = number }
variable "image" {
  type    = string
  default = "nginx"
}
module "defs" {
  source = "./defs"
  name   = var.name
  image  = var.image
  port   = var.port
}
resource "aws_ecs_task_definition" "this" {
  family                = "svc-${var.name}"
  container_definitions = jsonencode([module.defs.definition])
}
output "family" { value = aws_ecs_task_definition.this.family }
`,
		"modules/service/defs/main.tf": `
variable "name" {}
variable "image" {}
variable "port" {}
output "definition" { value = { name = var.name, image = var.image, portMappings = [{ containerPort = var.port }] } }
`,
		"root/.terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"remote","Source":"registry.terraform.io/acme/ecs/aws","Version":"1.0.0","Dir":".terraform/modules/remote"}]}`,
		"root/.terraform/modules/remote/main.tf": `
variable "name" {}
variable "port" {}
resource "aws_ecs_task_definition" "this" {
  family                = var.name
  container_definitions = jsonencode([{ name = var.name, image = "x", portMappings = [{ containerPort = var.port }] }])
}
`,
	}
	r := tfRead(t, files, SourceOptions{})
	require.Empty(t, r.errors)
	var names []string
	for k := range r.docs {
		names = append(names, k)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"aws_ecs_service.extra", `module.remote.aws_ecs_task_definition.this`,
		`module.svc["api"].aws_ecs_task_definition.this`, `module.svc["web"].aws_ecs_task_definition.this`}, names)
	api := r.docs[`module.svc["api"].aws_ecs_task_definition.this`]
	assert.Equal(t, "svc-api", api["family"])
	assert.Equal(t, map[string]any{"name": "api", "image": "nginx", "portMappings": []any{map[string]any{"containerPort": 8080.0}}}, at(t, api, "containerDefinitions", 0))
	assert.Equal(t, "svc-web", r.docs["aws_ecs_service.extra"]["taskDefinition"])
	assert.Equal(t, "remote", r.docs["module.remote.aws_ecs_task_definition.this"]["family"])
	assert.Empty(t, r.findings)

	// Walking root and modules together: the modules are read through their callers only.
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	tm := NewTerraformModules(SourceOptions{Files: fsys})
	for _, d := range []string{"modules/service", "modules/service/defs", "root"} {
		tm.Add(d, false)
	}
	var read, notes []string
	for _, d := range []string{"modules/service", "modules/service/defs", "root"} {
		require.NoError(t, tm.Read(d, func(doc Document) {
			if doc.JSON != nil {
				read = append(read, doc.Resource)
			}
			for _, f := range doc.Findings {
				notes = append(notes, doc.Source+": "+f.Message)
			}
		}, func(e *DocError) { t.Error(e) }))
	}
	assert.Len(t, read, 4)
	assert.Contains(t, notes, "modules/service: a module that root (module.svc) calls: its ECS resources are read through that call, with the values it gives the module's variables")
	assert.Contains(t, notes, "modules/service/defs: a module that modules/service (module.defs) calls: its ECS resources are read through that call, with the values it gives the module's variables")
}

// TestTerraformFunctions: functions of Terraform that cty's library lacks or implements
// otherwise, and jsonencode and templatefile over values known only at apply.
func TestTerraformFunctions(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
resource "aws_kms_key" "k" {}
locals {
  checks = {
    starts   = startswith("nginx:1", "nginx")
    ends     = endswith("a.json", ".json")
    contains = strcontains("abc", "b")
    one      = one(["x"])
    all      = alltrue([true, true])
    any      = anytrue([false, true])
    sum      = sum([1, 2, 3.5])
    dir      = dirname("a/b/c.json")
    md5      = md5("x")
    sha256   = sha256("x")
    url      = urlencode("a b")
    replaced = replace("a-b-c", "/-/", "_")
    b64      = base64decode(base64encode("hi"))
    yaml     = yamldecode("a: [1, 2]")
    len      = length({ a = 1, b = 2 })
    matched  = matchkeys(["a", "b"], ["x", "y"], ["y"])
    tr       = transpose({ a = ["1", "2"] })
  }
}
resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = templatefile("${path.module}/defs.json.tpl", {
    checks = jsonencode(local.checks)
    key    = aws_kms_key.k.arn
    when   = timestamp()
  })
}
`, "root/defs.json.tpl": `[{"name": "app", "image": "x", "environment": [
  {"name": "CHECKS", "value": ${jsonencode(checks)}},
  {"name": "KEY", "value": "${key}"},
  {"name": "WHEN", "value": "${when}"}]}]`}, SourceOptions{})
	require.Empty(t, r.errors)
	env := at(t, r.docs["aws_ecs_task_definition.app"], "containerDefinitions", 0, "environment").([]any)
	var checks map[string]any
	require.NoError(t, json.Unmarshal([]byte(env[0].(map[string]any)["value"].(string)), &checks))
	assert.Equal(t, map[string]any{"starts": true, "ends": true, "contains": true, "one": "x", "all": true, "any": true, "sum": 6.5,
		"dir": "a/b", "md5": "9dd4e461268c8034f5c8564e155c67a6", "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
		"url": "a+b", "replaced": "a_b_c", "b64": "hi", "yaml": map[string]any{"a": []any{1.0, 2.0}}, "len": 2.0,
		"matched": []any{"b"}, "tr": map[string]any{"1": []any{"a"}, "2": []any{"a"}}}, checks)
	assert.Equal(t, "${aws_kms_key.k.arn}", env[1].(map[string]any)["value"])
	assert.Equal(t, "${timestamp(…)}", env[2].(map[string]any)["value"])
}

// TestTerraformContainerDefinitionCase: the provider decodes container_definitions as Go's
// encoding/json does, without regard to the case of member names.
func TestTerraformContainerDefinitionCase(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = jsonencode([{ Name = "app", image = "x", entrypoint = ["sh"], PortMappings = [{ containerport = 80 }] }])
}
`}, SourceOptions{})
	require.Empty(t, r.errors)
	c := at(t, r.docs["aws_ecs_task_definition.app"], "containerDefinitions", 0)
	assert.Equal(t, []any{"sh"}, at(t, c, "entryPoint"))
	assert.Equal(t, 80.0, at(t, c, "portMappings", 0, "containerPort"))
}

// TestTerraformBadInput: what Terraform itself refuses is an error naming the file and line.
func TestTerraformBadInput(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"cycle": {`locals {
  a = local.b
  b = local.a
}
resource "aws_ecs_task_definition" "t" {
  family = local.a
  container_definitions = ` + tfContainers + `
}`, "refers to itself (a cycle)"},
		"unknown count": {`resource "aws_ecs_task_definition" "t" {
  count  = length(data.aws_subnets.all.ids)
  family = "t"
  container_definitions = ` + tfContainers + `
}
data "aws_subnets" "all" {}`, "root/main.tf: aws_ecs_task_definition.t: line 1: its count or for_each is known only when Terraform applies the module"},
		"count too large": {`resource "aws_ecs_service" "s" {
  count = 20000000
  name  = "s-${count.index}"
}`, "root/main.tf: aws_ecs_service.s: line 2: count is 20000000: podecs reads at most 10000 instances of a block"},
		"undeclared variable": {`resource "aws_ecs_task_definition" "t" {
  family = var.nope
  container_definitions = ` + tfContainers + `
}`, "line 2: family = var.nope: reference to undeclared input variable var.nope"},
		"bad type spec": {`variable "x" {
  type = optional(string, "a", "b")
}`, "root/main.tf: line 2: Invalid type specification"},
		"module without a required variable": {`module "m" {
  source = "./m"
}`, "root/m/main.tf: module.m.aws_ecs_task_definition.t: root/main.tf:1: family = var.name: module.m: the module needs a value for its variable \"name\""},
	} {
		t.Run(name, func(t *testing.T) {
			r := tfRead(t, map[string]string{"root/main.tf": c.src, "root/m/main.tf": `variable "name" {}
resource "aws_ecs_task_definition" "t" {
  family = var.name
  container_definitions = ` + tfContainers + `
}`}, SourceOptions{})
			require.Len(t, r.errors, 1, "%v", r.findings)
			assert.Contains(t, r.errors[0], c.want)
		})
	}
}

// TestTerraformUnknownArguments: an argument or block the provider's schema does not have, also
// inside a dynamic block, is reported; Terraform's meta-arguments and blocks are not.
func TestTerraformUnknownArguments(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
resource "aws_ecs_service" "app" {
  name          = "app"
  desired_count = 1
  colour        = "blue"
  depends_on    = [aws_iam_role.x]
  dynamic "load_balancer" {
    for_each = [1]
    content {
      container_name = "app"
      weight         = 3
    }
  }
  dynamic "timeouts" {
    for_each = []
    content {}
  }
  lifecycle {
    ignore_changes = [desired_count]
  }
}
`}, SourceOptions{})
	require.Empty(t, r.errors)
	assert.Equal(t, []string{
		"aws_ecs_service.app colour: colour is not an argument podecs knows for this resource; ignored",
		"aws_ecs_service.app load_balancer.weight: weight is not an argument podecs knows for this resource; ignored",
	}, r.findings)
}

// TestTerraformDynamicBlocks: a dynamic block makes its content once per element of for_each,
// in the collection's order and in place among the static blocks of its type, with the iterator
// (the block type, or the iterator argument) holding key and value; dynamic blocks nest, and the
// inner content sees the outer iterator. A for_each known only when Terraform applies the
// module leaves the blocks out with a finding.
func TestTerraformDynamicBlocks(t *testing.T) {
	r := tfRead(t, map[string]string{"root/main.tf": `
variable "target_groups" {
  default = {
    api   = { port = 8080, arn = "arn:tg/api" }
    admin = { port = 9090, arn = "arn:tg/admin" }
  }
}
variable "services" {
  default = [
    { port = "http", aliases = { "80" = "web", "8080" = "web-alt" } },
    { port = "grpc", aliases = {} },
  ]
}
data "aws_subnets" "all" {}
resource "aws_ecs_service" "app" {
  name = "app"
  load_balancer {
    target_group_arn = "arn:tg/static"
    container_name   = "static"
    container_port   = 80
  }
  dynamic "load_balancer" {
    for_each = var.target_groups
    content {
      target_group_arn = load_balancer.value.arn
      container_name   = load_balancer.key
      container_port   = load_balancer.value.port
    }
  }
  dynamic "capacity_provider_strategy" {
    for_each = toset(["FARGATE", "FARGATE_SPOT"])
    iterator = cp
    content {
      capacity_provider = cp.key
      weight            = cp.value == "FARGATE" ? 1 : 3
    }
  }
  dynamic "placement_constraints" {
    for_each = data.aws_subnets.all.ids
    content {
      type = "memberOf"
    }
  }
  service_connect_configuration {
    enabled = true
    dynamic "service" {
      for_each = var.services
      content {
        port_name = service.value.port
        dynamic "client_alias" {
          for_each = service.value.aliases
          iterator = alias
          content {
            port     = tonumber(alias.key)
            dns_name = "${alias.value}-${service.key}"
          }
        }
      }
    }
  }
}
`}, SourceOptions{})
	require.Empty(t, r.errors)
	svc := r.docs["aws_ecs_service.app"]
	require.NotNil(t, svc)
	assert.Equal(t, []any{
		map[string]any{"targetGroupArn": "arn:tg/static", "containerName": "static", "containerPort": 80.0},
		map[string]any{"targetGroupArn": "arn:tg/admin", "containerName": "admin", "containerPort": 9090.0},
		map[string]any{"targetGroupArn": "arn:tg/api", "containerName": "api", "containerPort": 8080.0},
	}, svc["loadBalancers"])
	assert.Equal(t, []any{
		map[string]any{"capacityProvider": "FARGATE", "weight": 1.0},
		map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 3.0},
	}, svc["capacityProviderStrategy"])
	assert.Nil(t, svc["placementConstraints"])
	r.finding(t, "aws_ecs_service.app placement_constraints: not known before deployment: the dynamic placement_constraints blocks' for_each")
	assert.Equal(t, []any{
		map[string]any{"portName": "http", "clientAliases": []any{
			map[string]any{"port": 80.0, "dnsName": "web-0"},
			map[string]any{"port": 8080.0, "dnsName": "web-alt-0"},
		}},
		map[string]any{"portName": "grpc"},
	}, at(t, svc, "serviceConnectConfiguration", "services"))
}

// TestTerraformDynamicBlockErrors: a dynamic block that cannot be expanded is an error naming
// the file and line.
func TestTerraformDynamicBlockErrors(t *testing.T) {
	for name, c := range map[string]struct{ block, want string }{
		"null for_each":    {"for_each = null\n    content {}", `root/main.tf: aws_ecs_service.s: line 4: dynamic "load_balancer": for_each: cannot be null`},
		"string for_each":  {"for_each = \"abc\"\n    content {}", `line 4: dynamic "load_balancer": for_each: must be a collection (a list, set, tuple, map or object), not string`},
		"no content":       {"for_each = [1]", `line 3: dynamic "load_balancer": needs exactly one content block, not 0`},
		"bad iterator":     {"for_each = [1]\n    iterator = \"lb\"\n    content {}", `line 5: dynamic "load_balancer": iterator must be a single name`},
		"failing for_each": {"for_each = var.nope\n    content {}", `line 4: dynamic load_balancer for_each = var.nope: reference to undeclared input variable var.nope`},
		"no for_each":      {"content {}", `line 3: Missing required argument`},
		"failing content":  {"for_each = [1]\n    content {\n      container_port = lb.value\n    }", `line 6: container_port = lb.value`},
	} {
		t.Run(name, func(t *testing.T) {
			r := tfRead(t, map[string]string{"root/main.tf": "resource \"aws_ecs_service\" \"s\" {\n  name = \"s\"\n  dynamic \"load_balancer\" {\n    " + c.block + "\n  }\n}\n"}, SourceOptions{})
			require.Len(t, r.errors, 1, "%v", r.findings)
			assert.Contains(t, r.errors[0], c.want)
		})
	}
}
