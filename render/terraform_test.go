package render

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podecs/podecs/convert"
)

// TestTerraformFormattedAndParses: every file of every fixture is unchanged by hclwrite.Format
// (what terraform fmt applies) and parses back with hclsyntax.
func TestTerraformFormattedAndParses(t *testing.T) {
	for _, fx := range k8sFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			files := render(t, Terraform, Options{Config: fx.cfg}, fx.run(t, convert.ReverseOptions{}))
			require.Len(t, files, 3)
			for name, data := range files {
				assert.Equal(t, string(data), string(hclwrite.Format(data)), "%s is not formatted", name)
				_, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
				assert.False(t, diags.HasErrors(), "%s: %s", name, diags)
			}
		})
	}
}

// tfModule is a parsed module: its resource blocks and an evaluation context where each
// variable has its default (or the test's value), and each resource attribute a reference name.
type tfModule struct {
	resources map[string]*hclsyntax.Body // "aws_ecs_service.web"
	ctx       *hcl.EvalContext
	required  map[string]bool
}

// parseModule parses main.tf and variables.tf. A required variable gets the value given, or
// "required:NAME"; a secret's ARN variable gets the ARN prefix of the converter's placeholder, so
// that "${var.secret_db_arn}:password::" gives back the api format's value.
func parseModule(t *testing.T, files map[string][]byte) tfModule {
	t.Helper()
	m := tfModule{resources: map[string]*hclsyntax.Body{}, required: map[string]bool{}}
	vars := map[string]cty.Value{}
	vf, diags := hclsyntax.ParseConfig(files["variables.tf"], "variables.tf", hcl.InitialPos)
	require.False(t, diags.HasErrors(), diags.Error())
	for _, b := range vf.Body.(*hclsyntax.Body).Blocks {
		name := b.Labels[0]
		if def, ok := b.Body.Attributes["default"]; ok {
			v, diags := def.Expr.Value(nil)
			require.False(t, diags.HasErrors(), diags.Error())
			vars[name] = v
			continue
		}
		m.required[name] = true
		if s, ok := strings.CutPrefix(name, "secret_"); ok {
			vars[name] = cty.StringVal("arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:" + strings.ReplaceAll(strings.TrimSuffix(s, "_arn"), "_", "-"))
		} else {
			vars[name] = cty.StringVal("required:" + name)
		}
	}
	mf, diags := hclsyntax.ParseConfig(files["main.tf"], "main.tf", hcl.InitialPos)
	require.False(t, diags.HasErrors(), diags.Error())
	refs := map[string]map[string]cty.Value{}
	for _, b := range mf.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "resource" && b.Type != "data" {
			continue
		}
		if b.Type == "resource" {
			m.resources[b.Labels[0]+"."+b.Labels[1]] = b.Body
		}
		root := b.Labels[0]
		if b.Type == "data" {
			root = "data"
		}
		if refs[root] == nil {
			refs[root] = map[string]cty.Value{}
		}
		attrs := map[string]cty.Value{}
		for _, a := range []string{"arn", "arn_without_revision", "id", "name", "resource_id", "scalable_dimension", "service_namespace"} {
			attrs[a] = cty.StringVal(b.Labels[0] + "." + b.Labels[1] + "." + a)
		}
		if b.Type == "data" {
			refs[root][b.Labels[0]] = cty.ObjectVal(map[string]cty.Value{b.Labels[1]: cty.ObjectVal(attrs)})
		} else {
			refs[root][b.Labels[1]] = cty.ObjectVal(attrs)
		}
	}
	m.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)}, Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
	for root, v := range refs {
		m.ctx.Variables[root] = cty.ObjectVal(v)
	}
	return m
}

// value evaluates a block body as generic JSON: arguments by name, nested blocks as lists.
func (m tfModule) value(t *testing.T, b *hclsyntax.Body) map[string]any {
	t.Helper()
	out := map[string]any{}
	for name, a := range b.Attributes {
		v, diags := a.Expr.Value(m.ctx)
		require.False(t, diags.HasErrors(), "%s: %s", name, diags)
		data, err := ctyjson.Marshal(v, v.Type())
		require.NoError(t, err)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var x any
		require.NoError(t, dec.Decode(&x))
		out[name] = x
	}
	for _, blk := range b.Blocks {
		l, _ := out[blk.Type].([]any)
		out[blk.Type] = append(l, m.value(t, blk.Body))
	}
	return out
}

// camel is the API spelling of a provider argument: task_role_arn → taskRoleArn. The test's own
// rule, apart from the renderer's table.
func camel(s string) string {
	if s == "size_in_gib" {
		return "sizeInGiB"
	}
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		r := []rune(parts[i])
		r[0] = unicode.ToUpper(r[0])
		parts[i] = string(r)
	}
	return strings.Join(parts, "")
}

// apiTaskDefinition turns an evaluated aws_ecs_task_definition back into the API's members.
func apiTaskDefinition(t *testing.T, tf map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range tf {
		switch k {
		case "container_definitions":
			var cds []any
			dec := json.NewDecoder(strings.NewReader(v.(string)))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&cds))
			out["containerDefinitions"] = cds
		case "tags":
			out["tags"] = tagList(v)
		case "volume":
			var vols []any
			for _, e := range v.([]any) {
				vol := map[string]any{}
				for vk, vv := range e.(map[string]any) {
					switch vk {
					case "host_path":
						vol["host"] = map[string]any{"sourcePath": vv}
					case "configure_at_launch":
						vol["configuredAtLaunch"] = vv
					case "name":
						vol["name"] = vv
					default:
						vol[camel(vk)] = camelBlocks(vv).([]any)[0]
					}
				}
				vols = append(vols, vol)
			}
			out["volumes"] = vols
		case "runtime_platform", "ephemeral_storage", "proxy_configuration":
			out[camel(k)] = camelBlocks(v).([]any)[0]
		default:
			out[camel(k)] = camelBlocks(v)
		}
	}
	return out
}

// camelBlocks renames the members of nested blocks; a block that may appear once is its object.
func camelBlocks(v any) any {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return v
	}
	if _, obj := l[0].(map[string]any); !obj {
		return v
	}
	var out []any
	for _, e := range l {
		m := map[string]any{}
		for k, x := range e.(map[string]any) {
			m[camel(k)] = camelBlocks(x)
			if inner, ok := m[camel(k)].([]any); ok && len(inner) == 1 && (k == "authorization_config" || strings.HasSuffix(k, "_configuration")) {
				m[camel(k)] = inner[0]
			}
		}
		out = append(out, m)
	}
	return out
}

func tagList(v any) []any {
	m, _ := v.(map[string]any)
	var out []any
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"key": k, "value": m[k]})
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestTerraformTaskDefinitionEquivalence: for every fixture, each aws_ecs_task_definition, its
// container_definitions evaluated through jsonencode and every other argument, equals the api
// format's task definition member by member. The only difference allowed is the execution role
// the conversion needed and --config did not give: a required variable, absent from the api
// output, and reported by the converter at config.executionRoleArn.
func TestTerraformTaskDefinitionEquivalence(t *testing.T) {
	for _, fx := range k8sFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			items := fx.run(t, convert.ReverseOptions{})
			m := parseModule(t, render(t, Terraform, Options{Config: fx.cfg}, items))
			for _, it := range items {
				o := it.Output
				if o == nil {
					continue
				}
				b := m.resources["aws_ecs_task_definition."+tfIdent(o.Name)]
				require.NotNil(t, b, o.Name)
				got := apiTaskDefinition(t, m.value(t, b))
				want := apiJSON(t, o.TaskDefinition)
				if got["executionRoleArn"] == "required:execution_role_arn" {
					assert.NotContains(t, want, "executionRoleArn")
					assert.True(t, missing(it)["executionRoleArn"], "the converter reported the missing role")
					delete(got, "executionRoleArn")
				}
				assert.Equal(t, want, got, o.Name)
			}
		})
	}
}

// TestTerraformServiceEquivalence: each aws_ecs_service gives back the api format's CreateService
// members: the cluster and network variables default to the --config values, the task
// definition and target groups are the module's own resources.
func TestTerraformServiceEquivalence(t *testing.T) {
	for _, fx := range k8sFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			items := fx.run(t, convert.ReverseOptions{})
			m := parseModule(t, render(t, Terraform, Options{Config: fx.cfg}, items))
			for _, it := range items {
				o := it.Output
				if o == nil || o.Service == nil {
					continue
				}
				id := tfIdent(o.Name)
				b := m.resources["aws_ecs_service."+id]
				require.NotNil(t, b, o.Name)
				tf := m.value(t, b)
				want := apiJSON(t, o.Service)
				got := map[string]any{}
				dc := map[string]any{}
				for k, v := range tf {
					switch k {
					case "name":
						got["serviceName"] = v
					case "deployment_maximum_percent":
						dc["maximumPercent"] = v
					case "deployment_minimum_healthy_percent":
						dc["minimumHealthyPercent"] = v
					case "deployment_circuit_breaker":
						dc["deploymentCircuitBreaker"] = camelBlocks(v).([]any)[0]
					case "tags":
						got["tags"] = tagList(v)
					case "enable_ecs_managed_tags":
						got["enableECSManagedTags"] = v
					case "deployment_controller", "service_connect_configuration":
						got[camel(k)] = apiServiceConnect(camelBlocks(v).([]any)[0])
					case "network_configuration":
						nc := camelBlocks(v).([]any)[0].(map[string]any)
						if p, ok := nc["assignPublicIp"].(bool); ok {
							nc["assignPublicIp"] = map[bool]string{true: "ENABLED", false: "DISABLED"}[p]
						}
						got["networkConfiguration"] = map[string]any{"awsvpcConfiguration": nc}
					case "load_balancer":
						got["loadBalancers"] = camelBlocks(v)
					case "ordered_placement_strategy":
						got["placementStrategy"] = camelBlocks(v)
					default:
						got[camel(k)] = camelBlocks(v)
					}
				}
				if len(dc) > 0 {
					got["deploymentConfiguration"] = dc
				}
				assert.Equal(t, "aws_ecs_task_definition."+id+".arn", got["taskDefinition"])
				got["taskDefinition"] = o.Name
				if nc, ok := got["networkConfiguration"].(map[string]any); ok && want["networkConfiguration"] == nil {
					assert.True(t, missing(it)["network.subnets"], "a network of variables only where --config had none")
					assert.Equal(t, "required:subnets", nc["awsvpcConfiguration"].(map[string]any)["subnets"])
					delete(got, "networkConfiguration")
				}
				if lbs, ok := got["loadBalancers"].([]any); ok {
					for i, lb := range lbs {
						ref := lb.(map[string]any)["targetGroupArn"].(string)
						assert.True(t, strings.HasPrefix(ref, "aws_lb_target_group."), ref)
						tg := m.value(t, m.resources[strings.TrimSuffix(ref, ".arn")])
						wantARN := want["loadBalancers"].([]any)[i].(map[string]any)["targetGroupArn"].(string)
						assert.Equal(t, targetGroupName(wantARN), tg["name"], "the target group is named as the one in --config")
						lb.(map[string]any)["targetGroupArn"] = wantARN
					}
				}
				assert.Equal(t, want, got, o.Name)
			}
		})
	}
}

// apiServiceConnect puts back the lists the provider spells as repeated blocks (service,
// client_alias) under the API's plural names.
func apiServiceConnect(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if s, ok := m["service"]; ok {
		var svcs []any
		for _, e := range s.([]any) {
			e := e.(map[string]any)
			if ca, ok := e["clientAlias"]; ok {
				e["clientAliases"] = ca
				delete(e, "clientAlias")
			}
			svcs = append(svcs, e)
		}
		m["services"] = svcs
		delete(m, "service")
	}
	return m
}
