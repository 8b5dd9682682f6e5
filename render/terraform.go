package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/convert/ecsjson"
)

// Terraform writes a root module for the AWS provider: main.tf with one resource of each kind per
// workload (aws_ecs_task_definition, aws_ecs_service, aws_lb_target_group, aws_appautoscaling_target
// and _policy, aws_scheduler_schedule), variables.tf with what the manifests cannot know, and
// outputs.tf with the ARNs. It is written with hclwrite and formatted as `terraform fmt` does.
//
// Arguments are the provider's own names and nesting; the container definitions are the API's
// JSON as an HCL expression under jsonencode. The environment-wide settings of --config (cluster,
// subnets, security groups, public IP, execution and schedule roles) become variables whose
// defaults are the configured values, so that one module serves several environments; values
// that belong to one object (a secret's ARN, a task role) stay literal. A setting the conversion
// needed and --config did not give is a variable without default, as is the ARN of a Secret the
// converter only had a placeholder for.
type terraform struct {
	o        Options
	ids      map[string]names // per resource type
	set      settings
	main     *hclwrite.Body
	outputs  *hclwrite.Body
	mainFile *hclwrite.File
	outFile  *hclwrite.File
	cluster  bool // data.aws_ecs_cluster.this is used
	// mainText and outText hold the rendered workloads, each added whole or not at all.
	mainText, outText bytes.Buffer
}

func newTerraform(o Options) *terraform {
	t := &terraform{o: o, ids: map[string]names{}, set: settings{}}
	t.reset()
	tf := t.main.AppendNewBlock("terraform", nil).Body()
	tf.AppendNewBlock("required_providers", nil).Body().SetAttributeRaw("aws", hclwrite.TokensForObject([]hclwrite.ObjectAttrTokens{
		{Name: hclwrite.TokensForIdentifier("source"), Value: hclwrite.TokensForValue(cty.StringVal("hashicorp/aws"))},
		{Name: hclwrite.TokensForIdentifier("version"), Value: hclwrite.TokensForValue(cty.StringVal(">= 5.40"))},
	}))
	t.mainText.Write(t.mainFile.Bytes())
	t.reset()
	return t
}

// reset starts empty files for the next workload.
func (t *terraform) reset() {
	t.mainFile, t.outFile = hclwrite.NewEmptyFile(), hclwrite.NewEmptyFile()
	t.main, t.outputs = t.mainFile.Body(), t.outFile.Body()
}

// tfIdent is the Terraform name of a workload's resources: its ECS name in snake case, which
// starts with an underscore when the name starts with a digit.
func tfIdent(name string) string {
	id := snake(name)
	if id == "" || (id[0] >= '0' && id[0] <= '9') {
		id = "_" + id
	}
	return id
}

// name claims the name of a resource of a type.
func (t *terraform) name(typ, id string) string {
	if t.ids[typ] == nil {
		t.ids[typ] = names{}
	}
	return t.ids[typ].claim(id)
}

func (t *terraform) Add(it convert.Item) error {
	o := it.Output
	if o == nil {
		return nil
	}
	// A workload that cannot be written leaves no trace: its names, variables and blocks are
	// kept only once all of it is written.
	ids, set, cluster := map[string]names{}, settings{}, t.cluster
	for typ, n := range t.ids {
		ids[typ] = maps.Clone(n)
	}
	maps.Copy(set, t.set)
	err := t.workload(o, missing(it))
	if err != nil {
		t.ids, t.set, t.cluster = ids, set, cluster
		t.reset()
		return fmt.Errorf("terraform: %w", err)
	}
	t.mainText.Write(t.mainFile.Bytes())
	if t.outText.Len() > 0 && len(t.outputs.Blocks()) > 0 {
		t.outText.WriteByte('\n')
	}
	t.outText.Write(t.outFile.Bytes())
	t.reset()
	return nil
}

// workload writes the resources of one workload.
func (t *terraform) workload(o *convert.Output, miss map[string]bool) error {
	id := t.name("workload", tfIdent(o.Name))
	cfg := t.o.Config
	td, err := generic(o.TaskDefinition)
	if err != nil {
		return err
	}
	if v, ok := td["executionRoleArn"].(string); (ok && v == cfg.ExecutionRoleArn) || (!ok && miss["executionRoleArn"]) {
		td["executionRoleArn"] = t.variable(executionRoleSetting(cfg))
	}
	containers, _ := td["containerDefinitions"].([]any)
	delete(td, "containerDefinitions")
	t.main.AppendNewline()
	b := t.main.AppendNewBlock("resource", []string{"aws_ecs_task_definition", id}).Body()
	b.SetAttributeValue("family", cty.StringVal(o.Name))
	b.SetAttributeRaw("container_definitions", hclwrite.TokensForFunctionCall("jsonencode", tokensOf(t.secretVars(containers))))
	delete(td, "family")
	if err := writeBody(b, td, tfSchemas().taskDefinition, "taskDefinition"); err != nil {
		return err
	}
	t.output(id+"_task_definition_arn", "ARN of the task definition "+o.Name+" (with its revision)", traversal("aws_ecs_task_definition", id, "arn"))

	tgs, err := t.targetGroups(o, id)
	if err != nil {
		return err
	}
	if o.Service != nil {
		if err := t.service(o, id, tgs, miss); err != nil {
			return err
		}
	}
	if o.Scaling != nil {
		if err := t.scaling(o, id); err != nil {
			return err
		}
	}
	for i, s := range schedulesOf(o) {
		if err := t.schedule(s, id, i, miss, ec2Only(o)); err != nil {
			return err
		}
	}
	return nil
}

// service writes aws_ecs_service.
func (t *terraform) service(o *convert.Output, id string, tgs map[string]hclwrite.Tokens, miss map[string]bool) error {
	cfg := t.o.Config
	svc, err := generic(o.Service)
	if err != nil {
		return err
	}
	if svc["cluster"] == clusterOf(cfg) {
		svc["cluster"] = t.variable(clusterSetting(cfg))
	}
	if svc["taskDefinition"] == o.Name {
		svc["taskDefinition"] = traversal("aws_ecs_task_definition", id, "arn")
	}
	if nc, ok := svc["networkConfiguration"].(map[string]any); ok {
		t.network(nc["awsvpcConfiguration"], "subnets", "securityGroups", "assignPublicIp", ec2Only(o))
	} else if miss["network.subnets"] {
		svc["networkConfiguration"] = map[string]any{"awsvpcConfiguration": t.networkVars("subnets", "securityGroups", "assignPublicIp", ec2Only(o))}
	}
	lbs, _ := svc["loadBalancers"].([]any)
	for _, lb := range lbs {
		if m, ok := lb.(map[string]any); ok {
			if ref, ok := tgs[fmt.Sprint(m["targetGroupArn"])]; ok {
				m["targetGroupArn"] = ref
			}
		}
	}
	t.main.AppendNewline()
	b := t.main.AppendNewBlock("resource", []string{"aws_ecs_service", id}).Body()
	if err := writeBody(b, svc, tfSchemas().service, "service"); err != nil {
		return err
	}
	t.output(id+"_service_arn", "ARN of the ECS service "+o.Name, traversal("aws_ecs_service", id, "id"))
	return nil
}

// network replaces the members of an awsvpc configuration that hold the --config network with
// the variables.
func (t *terraform) network(v any, subnets, groups, public string, ec2 bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	cfg := t.o.Config
	if len(cfg.Network.Subnets) > 0 && slices.Equal(strs(m[subnets]), cfg.Network.Subnets) {
		m[subnets] = t.variable(subnetsSetting(cfg))
	}
	if len(cfg.Network.SecurityGroups) > 0 && slices.Equal(strs(m[groups]), cfg.Network.SecurityGroups) {
		m[groups] = t.variable(securityGroupsSetting(cfg))
	}
	if p, ok := m[public].(string); ok && p == assignPublicIP(cfg) && !ec2 {
		m[public] = t.variable(assignPublicIPSetting(cfg))
	}
}

// networkVars is an awsvpc configuration made of the variables alone, for a conversion that had no
// network in --config. An EC2 workload's tasks get no public IP (ECS gives one to Fargate tasks
// only), so theirs is DISABLED rather than the variable the Fargate workloads share.
func (t *terraform) networkVars(subnets, groups, public string, ec2 bool) map[string]any {
	cfg := t.o.Config
	m := map[string]any{
		subnets: t.variable(subnetsSetting(cfg)),
		groups:  t.variable(securityGroupsSetting(cfg)),
		public:  "DISABLED",
	}
	if !ec2 {
		m[public] = t.variable(assignPublicIPSetting(cfg))
	}
	return m
}

func assignPublicIP(cfg convert.Config) string {
	if cfg.Network.AssignPublicIP == "" {
		return "DISABLED"
	}
	return cfg.Network.AssignPublicIP
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// targetGroups writes one aws_lb_target_group per target group the service registers in, with the
// health check taken from the readiness probe, and returns the references that replace their ARNs.
// The module manages the groups: a group named in --config that exists already is imported
// (terraform import aws_lb_target_group.ID ARN) before the first apply.
func (t *terraform) targetGroups(o *convert.Output, id string) (map[string]hclwrite.Tokens, error) {
	refs := map[string]hclwrite.Tokens{}
	if o.Service == nil {
		return refs, nil
	}
	for _, lb := range o.Service.LoadBalancers {
		arn := deref(lb.TargetGroupArn)
		if arn == "" || refs[arn] != nil {
			continue
		}
		tgID := id
		if len(refs) > 0 {
			tgID = fmt.Sprintf("%s_%d", id, len(refs)+1)
		}
		tgID = t.name("aws_lb_target_group", tgID)
		spec := targetGroupSpec(o, arn, deref32(lb.ContainerPort))
		hc := map[string]any{}
		if spec.healthCheck != nil {
			var err error
			if hc, err = generic(spec.healthCheck); err != nil {
				return nil, err
			}
			if m, ok := hc["Matcher"].(map[string]any); ok {
				hc["Matcher"] = m["HttpCode"]
				if m["GrpcCode"] != nil {
					hc["Matcher"] = m["GrpcCode"]
				}
			}
		}
		t.main.AppendNewline()
		b := t.main.AppendNewBlock("resource", []string{"aws_lb_target_group", tgID}).Body()
		b.SetAttributeValue("name", cty.StringVal(spec.name))
		b.SetAttributeValue("port", cty.NumberIntVal(int64(spec.port)))
		b.SetAttributeValue("protocol", cty.StringVal(spec.protocol))
		if spec.protocolVersion != "" {
			b.SetAttributeValue("protocol_version", cty.StringVal(spec.protocolVersion))
		}
		b.SetAttributeValue("target_type", cty.StringVal(spec.targetType))
		b.SetAttributeRaw("vpc_id", t.variable(vpcSetting()))
		if len(hc) > 0 {
			hb := b.AppendNewBlock("health_check", nil).Body()
			hb.SetAttributeValue("enabled", cty.True)
			if err := writeBody(hb, hc, tfSchemas().healthCheck, "targetGroup"); err != nil {
				return nil, err
			}
		}
		refs[arn] = traversal("aws_lb_target_group", tgID, "arn")
		t.output(tgID+"_target_group_arn", "ARN of the target group "+spec.name+" (attach it to a listener)", refs[arn])
	}
	return refs, nil
}

// scaling writes aws_appautoscaling_target and one aws_appautoscaling_policy per policy.
func (t *terraform) scaling(o *convert.Output, id string) error {
	target, err := generic(o.Scaling.ScalableTarget)
	if err != nil {
		return err
	}
	resource := t.scalingResourceID(target["ResourceId"], o, id)
	target["ResourceId"] = resource
	t.main.AppendNewline()
	b := t.main.AppendNewBlock("resource", []string{"aws_appautoscaling_target", id}).Body()
	if err := writeBody(b, target, tfSchemas().scalableTarget, "RegisterScalableTarget"); err != nil {
		return err
	}
	for i, p := range o.Scaling.Policies {
		pol, err := generic(p)
		if err != nil {
			return err
		}
		pol["ResourceId"] = traversal("aws_appautoscaling_target", id, "resource_id")
		pol["ScalableDimension"] = traversal("aws_appautoscaling_target", id, "scalable_dimension")
		pol["ServiceNamespace"] = traversal("aws_appautoscaling_target", id, "service_namespace")
		t.main.AppendNewline()
		pb := t.main.AppendNewBlock("resource", []string{"aws_appautoscaling_policy", t.name("aws_appautoscaling_policy", tfIdent(p.PolicyName))}).Body()
		if err := writeBody(pb, pol, tfSchemas().scalingPolicy, fmt.Sprintf("PutScalingPolicy[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// scalingResourceID is service/CLUSTER/SERVICE with the cluster variable and the service's name
// when they are the ones this module writes.
func (t *terraform) scalingResourceID(v any, o *convert.Output, id string) any {
	s, _ := v.(string)
	want := "service/" + clusterOf(t.o.Config) + "/" + o.Name
	if s != want || o.Service == nil {
		return v
	}
	return template("service/", t.variable(clusterSetting(t.o.Config)), "/", traversal("aws_ecs_service", id, "name"))
}

// schedule writes aws_scheduler_schedule.
func (t *terraform) schedule(s any, id string, i int, miss map[string]bool, ec2 bool) error {
	sc, err := generic(s)
	if err != nil {
		return err
	}
	cfg := t.o.Config
	sid := id
	if i > 0 {
		sid = fmt.Sprintf("%s_%d", id, i+1)
	}
	sid = t.name("aws_scheduler_schedule", sid)
	target, _ := sc["Target"].(map[string]any)
	if target != nil {
		if arn, _ := target["Arn"].(string); strings.HasSuffix(arn, ":cluster/"+clusterOf(cfg)) {
			target["Arn"] = traversal("data", "aws_ecs_cluster", "this", "arn")
			t.cluster = true
		}
		if role, _ := target["RoleArn"].(string); (role != "" && role == cfg.ScheduleRoleArn) || miss["scheduleRoleArn"] {
			target["RoleArn"] = t.variable(scheduleRoleSetting(cfg))
		}
		if ep, ok := target["EcsParameters"].(map[string]any); ok {
			if arn, _ := ep["TaskDefinitionArn"].(string); strings.HasSuffix(arn, ":task-definition/"+familyOf(arn)) && familyOf(arn) != "" {
				ep["TaskDefinitionArn"] = traversal("aws_ecs_task_definition", id, "arn_without_revision")
			}
			if nc, ok := ep["NetworkConfiguration"].(map[string]any); ok {
				t.network(nc["awsvpcConfiguration"], "Subnets", "SecurityGroups", "AssignPublicIp", ec2)
			} else if miss["network.subnets"] {
				ep["NetworkConfiguration"] = map[string]any{"awsvpcConfiguration": t.networkVars("Subnets", "SecurityGroups", "AssignPublicIp", ec2)}
			}
			if tags, ok := ep["Tags"].([]any); ok {
				merged := map[string]any{}
				for _, m := range tags {
					if mm, ok := m.(map[string]any); ok {
						for k, v := range mm {
							merged[k] = v
						}
					}
				}
				ep["Tags"] = merged
			}
		}
	}
	t.main.AppendNewline()
	b := t.main.AppendNewBlock("resource", []string{"aws_scheduler_schedule", sid}).Body()
	if err := writeBody(b, sc, tfSchemas().schedule, "schedule"); err != nil {
		return err
	}
	t.output(sid+"_schedule_arn", fmt.Sprintf("ARN of the schedule %v", sc["Name"]), traversal("aws_scheduler_schedule", sid, "arn"))
	return nil
}

// familyOf is the family of a task definition ARN without revision.
func familyOf(arn string) string {
	_, fam, ok := strings.Cut(arn, ":task-definition/")
	if !ok || strings.Contains(fam, ":") {
		return ""
	}
	return fam
}

// secretVars replaces the placeholder ARNs of unmapped Secrets with "${var.secret_NAME_arn}:KEY::".
func (t *terraform) secretVars(v any) any {
	keys := map[string][]string{}
	collectPlaceholders(v, keys)
	return mapStrings(v, func(s string) any {
		name, key, ok := convert.SecretPlaceholder(s)
		if !ok {
			return s
		}
		return template(t.variable(secretSetting(name, keys[name])), ":"+key+"::")
	})
}

// collectPlaceholders lists, per Secret, the keys the placeholders of v name.
func collectPlaceholders(v any, keys map[string][]string) {
	mapStrings(v, func(s string) any {
		if name, key, ok := convert.SecretPlaceholder(s); ok && !slices.Contains(keys[name], key) {
			keys[name] = append(keys[name], key)
		}
		return s
	})
}

// mapStrings replaces every string of a generic JSON value.
func mapStrings(v any, f func(string) any) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		for i := range x {
			x[i] = mapStrings(x[i], f)
		}
	case map[string]any:
		for k := range x {
			x[k] = mapStrings(x[k], f)
		}
	}
	return v
}

// variable declares a setting and returns the reference to it.
func (t *terraform) variable(st setting) hclwrite.Tokens {
	return traversal("var", t.set.use(st))
}

func (t *terraform) output(name, description string, value hclwrite.Tokens) {
	if len(t.outputs.Blocks()) > 0 {
		t.outputs.AppendNewline()
	}
	b := t.outputs.AppendNewBlock("output", []string{name}).Body()
	b.SetAttributeValue("description", cty.StringVal(description))
	b.SetAttributeRaw("value", value)
}

func (t *terraform) Files() ([]convert.File, error) {
	t.reset()
	if t.cluster {
		t.main.AppendNewline()
		b := t.main.AppendNewBlock("data", []string{"aws_ecs_cluster", "this"}).Body()
		b.SetAttributeRaw("cluster_name", t.variable(clusterSetting(t.o.Config)))
		t.mainText.Write(t.mainFile.Bytes())
	}
	vars := hclwrite.NewEmptyFile()
	for i, st := range t.set.sorted() {
		if i > 0 {
			vars.Body().AppendNewline()
		}
		b := vars.Body().AppendNewBlock("variable", []string{st.key}).Body()
		typ := map[settingKind]string{kindString: "string", kindList: "list(string)", kindBool: "bool"}[st.kind]
		b.SetAttributeRaw("type", typeTokens(typ))
		b.SetAttributeValue("description", cty.StringVal(st.description))
		if st.def != nil {
			b.SetAttributeValue("default", ctyOf(st.def))
		}
	}
	return []convert.File{
		{Name: "main.tf", Data: hclwrite.Format(t.mainText.Bytes())},
		{Name: "variables.tf", Data: hclwrite.Format(vars.Bytes())},
		{Name: "outputs.tf", Data: hclwrite.Format(t.outText.Bytes())},
	}, nil
}

// typeTokens are the tokens of a type expression (string, list(string), bool).
func typeTokens(typ string) hclwrite.Tokens {
	if inner, ok := strings.CutPrefix(typ, "list("); ok {
		return hclwrite.TokensForFunctionCall("list", hclwrite.TokensForIdentifier(strings.TrimSuffix(inner, ")")))
	}
	return hclwrite.TokensForIdentifier(typ)
}

func ctyOf(v any) cty.Value {
	switch x := v.(type) {
	case string:
		return cty.StringVal(x)
	case bool:
		return cty.BoolVal(x)
	case []string:
		if len(x) == 0 {
			return cty.ListValEmpty(cty.String)
		}
		vals := make([]cty.Value, len(x))
		for i, s := range x {
			vals[i] = cty.StringVal(s)
		}
		return cty.ListVal(vals)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// generic is the API JSON of an SDK struct (or a plain struct with the member names of its service
// model) as maps, slices, strings, json.Numbers and bools.
func generic(v any) (map[string]any, error) {
	var data []byte
	var err error
	if t := reflect.TypeOf(v); t.Kind() == reflect.Pointer && strings.Contains(t.Elem().PkgPath(), "aws-sdk-go-v2/service/ecs") {
		data, err = ecsjson.Marshal(v)
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// traversal is a reference such as var.cluster or aws_ecs_service.web.name.
func traversal(root string, attrs ...string) hclwrite.Tokens {
	tr := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		tr = append(tr, hcl.TraverseAttr{Name: a})
	}
	return hclwrite.TokensForTraversal(tr)
}

// template is a quoted template of literal strings and interpolated references.
func template(parts ...any) hclwrite.Tokens {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOQuote, Bytes: []byte{'"'}}}
	for _, p := range parts {
		switch x := p.(type) {
		case string:
			lit := hclwrite.TokensForValue(cty.StringVal(x))
			toks = append(toks, lit[1:len(lit)-1]...) // the escaped text between the quotes
		case hclwrite.Tokens:
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")})
			toks = append(toks, x...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
		}
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte{'"'}})
}

// tokensOf is the HCL expression of a generic JSON value: objects keep the API member names.
func tokensOf(v any) hclwrite.Tokens {
	switch x := v.(type) {
	case hclwrite.Tokens:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		attrs := make([]hclwrite.ObjectAttrTokens, len(keys))
		for i, k := range keys {
			attrs[i] = hclwrite.ObjectAttrTokens{Name: keyTokens(k), Value: tokensOf(x[k])}
		}
		return hclwrite.TokensForObject(attrs)
	case []any:
		elems := make([]hclwrite.Tokens, len(x))
		multiline := false
		for i, e := range x {
			elems[i] = tokensOf(e)
			_, obj := e.(map[string]any)
			multiline = multiline || obj
		}
		if !multiline {
			return hclwrite.TokensForTuple(elems)
		}
		nl := &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte{'\n'}}
		toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte{'['}}, nl}
		for _, e := range elems {
			toks = append(toks, e...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte{','}}, nl)
		}
		return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte{']'}})
	case json.Number:
		n, err := cty.ParseNumberVal(x.String())
		if err != nil {
			return hclwrite.TokensForValue(cty.StringVal(x.String()))
		}
		return hclwrite.TokensForValue(n)
	case string:
		return hclwrite.TokensForValue(cty.StringVal(x))
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(x))
	case []string:
		return hclwrite.TokensForValue(ctyOf(x))
	}
	return hclwrite.TokensForValue(cty.NullVal(cty.DynamicPseudoType))
}

// keyTokens is an object key: an identifier where HCL reads it as one, else a quoted string.
func keyTokens(k string) hclwrite.Tokens {
	switch k {
	case "true", "false", "null", "for", "in", "if", "else", "endif", "endfor":
	default:
		if hclsyntax.ValidIdentifier(k) {
			return hclwrite.TokensForIdentifier(k)
		}
	}
	return hclwrite.TokensForValue(cty.StringVal(k))
}

// tfKind says how an API member becomes Terraform.
type tfKind int

const (
	tfAttr    tfKind = iota // an argument with the member's value
	tfBlock                 // a nested block from an object
	tfBlocks                // one nested block per element of a list of objects
	tfTags                  // [{key, value}] → a map argument
	tfNameMap               // [{name, value}] → a map argument
	tfFlatten               // the members of an object, written at this level
	tfEnabled               // "ENABLED"/"DISABLED" → a bool argument
	tfJSON                  // any value as an HCL expression (maps of strings)
)

// tfField maps one API member to a provider argument or block.
type tfField struct {
	api  string
	name string
	kind tfKind
	sub  []tfField
}

func attr(api, name string) tfField { return tfField{api: api, name: name} }
func block(api, name string, sub ...tfField) tfField {
	return tfField{api: api, name: name, kind: tfBlock, sub: sub}
}
func blocks(api, name string, sub ...tfField) tfField {
	return tfField{api: api, name: name, kind: tfBlocks, sub: sub}
}
func flatten(api string, sub ...tfField) tfField {
	return tfField{api: api, kind: tfFlatten, sub: sub}
}
func kinded(kind tfKind, api, name string) tfField { return tfField{api: api, name: name, kind: kind} }

// writeBody writes the members of obj that fields name, in the order of fields. A member no
// field names is an error: the provider has no argument for it that podecs knows.
func writeBody(b *hclwrite.Body, obj map[string]any, fields []tfField, path string) error {
	seen := map[string]bool{}
	for _, f := range fields {
		v, ok := obj[f.api]
		if !ok {
			continue
		}
		seen[f.api] = true
		p := path + "." + f.api
		switch f.kind {
		case tfAttr, tfJSON:
			b.SetAttributeRaw(f.name, tokensOf(v))
		case tfEnabled:
			if s, ok := v.(string); ok {
				v = s == "ENABLED"
			}
			b.SetAttributeRaw(f.name, tokensOf(v))
		case tfTags, tfNameMap:
			b.SetAttributeRaw(f.name, tokensOf(pairs(v, f.kind)))
		case tfFlatten:
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: not an object", p)
			}
			if err := writeBody(b, m, f.sub, p); err != nil {
				return err
			}
		case tfBlock:
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: not an object", p)
			}
			if err := writeBody(b.AppendNewBlock(f.name, nil).Body(), m, f.sub, p); err != nil {
				return err
			}
		case tfBlocks:
			l, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: not a list", p)
			}
			for i, e := range l {
				m, ok := e.(map[string]any)
				if !ok {
					return fmt.Errorf("%s[%d]: not an object", p, i)
				}
				if err := writeBody(b.AppendNewBlock(f.name, nil).Body(), m, f.sub, fmt.Sprintf("%s[%d]", p, i)); err != nil {
					return err
				}
			}
		}
	}
	for k := range obj {
		if !seen[k] {
			return fmt.Errorf("%s.%s has no argument in the AWS provider that podecs writes", path, k)
		}
	}
	return nil
}

// pairs turns [{key, value}] (or [{name, value}]) into a map.
func pairs(v any, kind tfKind) map[string]any {
	keyName, valueName := "key", "value"
	if kind == tfNameMap {
		keyName = "name"
	}
	out := map[string]any{}
	l, _ := v.([]any)
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			k, _ := m[keyName].(string)
			val := m[valueName]
			if val == nil {
				val = ""
			}
			out[k] = val
		}
	}
	return out
}

// tfSchema holds the provider's arguments for each input podecs writes (hashicorp/aws resource
// documentation). It is built on first use: every run of the binary would pay for it otherwise.
type tfSchema struct {
	taskDefinition, service, healthCheck, scalableTarget, scalingPolicy, schedule []tfField
}

var tfSchemas = sync.OnceValue(func() tfSchema {

	tfPlacementConstraints := []tfField{attr("type", "type"), attr("expression", "expression")}
	tfCapacityProvider := []tfField{attr("capacityProvider", "capacity_provider"), attr("weight", "weight"), attr("base", "base")}

	tfTaskDefinition := []tfField{
		attr("cpu", "cpu"),
		attr("memory", "memory"),
		attr("networkMode", "network_mode"),
		attr("requiresCompatibilities", "requires_compatibilities"),
		attr("executionRoleArn", "execution_role_arn"),
		attr("taskRoleArn", "task_role_arn"),
		attr("pidMode", "pid_mode"),
		attr("ipcMode", "ipc_mode"),
		attr("enableFaultInjection", "enable_fault_injection"),
		block("runtimePlatform", "runtime_platform", attr("operatingSystemFamily", "operating_system_family"), attr("cpuArchitecture", "cpu_architecture")),
		block("ephemeralStorage", "ephemeral_storage", attr("sizeInGiB", "size_in_gib")),
		blocks("volumes", "volume",
			attr("name", "name"),
			flatten("host", attr("sourcePath", "host_path")),
			attr("configuredAtLaunch", "configure_at_launch"),
			block("dockerVolumeConfiguration", "docker_volume_configuration", attr("scope", "scope"), attr("autoprovision", "autoprovision"), attr("driver", "driver"), kinded(tfJSON, "driverOpts", "driver_opts"), kinded(tfJSON, "labels", "labels")),
			block("efsVolumeConfiguration", "efs_volume_configuration", attr("fileSystemId", "file_system_id"), attr("rootDirectory", "root_directory"), attr("transitEncryption", "transit_encryption"), attr("transitEncryptionPort", "transit_encryption_port"),
				block("authorizationConfig", "authorization_config", attr("accessPointId", "access_point_id"), attr("iam", "iam"))),
			block("fsxWindowsFileServerVolumeConfiguration", "fsx_windows_file_server_volume_configuration", attr("fileSystemId", "file_system_id"), attr("rootDirectory", "root_directory"),
				block("authorizationConfig", "authorization_config", attr("credentialsParameter", "credentials_parameter"), attr("domain", "domain"))),
		),
		blocks("placementConstraints", "placement_constraints", tfPlacementConstraints...),
		block("proxyConfiguration", "proxy_configuration", attr("type", "type"), attr("containerName", "container_name"), kinded(tfNameMap, "properties", "properties")),
		blocks("inferenceAccelerators", "inference_accelerator", attr("deviceName", "device_name"), attr("deviceType", "device_type")),
		kinded(tfTags, "tags", "tags"),
	}

	tfService := []tfField{
		attr("serviceName", "name"),
		attr("cluster", "cluster"),
		attr("taskDefinition", "task_definition"),
		attr("desiredCount", "desired_count"),
		attr("launchType", "launch_type"),
		attr("platformVersion", "platform_version"),
		attr("schedulingStrategy", "scheduling_strategy"),
		attr("role", "iam_role"),
		flatten("deploymentConfiguration",
			attr("maximumPercent", "deployment_maximum_percent"),
			attr("minimumHealthyPercent", "deployment_minimum_healthy_percent"),
			block("deploymentCircuitBreaker", "deployment_circuit_breaker", attr("enable", "enable"), attr("rollback", "rollback")),
			block("alarms", "alarms", attr("alarmNames", "alarm_names"), attr("enable", "enable"), attr("rollback", "rollback")),
		),
		block("deploymentController", "deployment_controller", attr("type", "type")),
		attr("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
		attr("availabilityZoneRebalancing", "availability_zone_rebalancing"),
		attr("enableECSManagedTags", "enable_ecs_managed_tags"),
		attr("propagateTags", "propagate_tags"),
		attr("enableExecuteCommand", "enable_execute_command"),
		blocks("capacityProviderStrategy", "capacity_provider_strategy", tfCapacityProvider...),
		flatten("networkConfiguration", block("awsvpcConfiguration", "network_configuration", attr("subnets", "subnets"), attr("securityGroups", "security_groups"), kinded(tfEnabled, "assignPublicIp", "assign_public_ip"))),
		blocks("loadBalancers", "load_balancer", attr("targetGroupArn", "target_group_arn"), attr("loadBalancerName", "elb_name"), attr("containerName", "container_name"), attr("containerPort", "container_port")),
		blocks("serviceRegistries", "service_registries", attr("registryArn", "registry_arn"), attr("port", "port"), attr("containerName", "container_name"), attr("containerPort", "container_port")),
		blocks("placementConstraints", "placement_constraints", tfPlacementConstraints...),
		blocks("placementStrategy", "ordered_placement_strategy", attr("type", "type"), attr("field", "field")),
		block("serviceConnectConfiguration", "service_connect_configuration",
			attr("enabled", "enabled"),
			attr("namespace", "namespace"),
			block("logConfiguration", "log_configuration", attr("logDriver", "log_driver"), kinded(tfJSON, "options", "options"), blocks("secretOptions", "secret_option", attr("name", "name"), attr("valueFrom", "value_from"))),
			blocks("services", "service",
				attr("portName", "port_name"),
				attr("discoveryName", "discovery_name"),
				attr("ingressPortOverride", "ingress_port_override"),
				blocks("clientAliases", "client_alias", attr("port", "port"), attr("dnsName", "dns_name")),
				block("timeout", "timeout", attr("idleTimeoutSeconds", "idle_timeout_seconds"), attr("perRequestTimeoutSeconds", "per_request_timeout_seconds")),
				block("tls", "tls", block("issuerCertificateAuthority", "issuer_cert_authority", attr("awsPcaAuthorityArn", "aws_pca_authority_arn")), attr("kmsKey", "kms_key"), attr("roleArn", "role_arn")),
			),
		),
		blocks("vpcLatticeConfigurations", "vpc_lattice_configurations", attr("roleArn", "role_arn"), attr("targetGroupArn", "target_group_arn"), attr("portName", "port_name")),
		kinded(tfTags, "tags", "tags"),
	}

	tfHealthCheck := []tfField{
		attr("HealthCheckProtocol", "protocol"),
		attr("HealthCheckPort", "port"),
		attr("HealthCheckPath", "path"),
		attr("HealthCheckIntervalSeconds", "interval"),
		attr("HealthCheckTimeoutSeconds", "timeout"),
		attr("HealthyThresholdCount", "healthy_threshold"),
		attr("UnhealthyThresholdCount", "unhealthy_threshold"),
		attr("Matcher", "matcher"),
	}

	tfScalableTarget := []tfField{
		attr("ServiceNamespace", "service_namespace"),
		attr("ResourceId", "resource_id"),
		attr("ScalableDimension", "scalable_dimension"),
		attr("MinCapacity", "min_capacity"),
		attr("MaxCapacity", "max_capacity"),
		attr("RoleARN", "role_arn"),
		block("SuspendedState", "suspended_state", attr("DynamicScalingInSuspended", "dynamic_scaling_in_suspended"), attr("DynamicScalingOutSuspended", "dynamic_scaling_out_suspended"), attr("ScheduledScalingSuspended", "scheduled_scaling_suspended")),
		kinded(tfJSON, "Tags", "tags"),
	}

	tfScalingPolicy := []tfField{
		attr("PolicyName", "name"),
		attr("PolicyType", "policy_type"),
		attr("ResourceId", "resource_id"),
		attr("ScalableDimension", "scalable_dimension"),
		attr("ServiceNamespace", "service_namespace"),
		block("TargetTrackingScalingPolicyConfiguration", "target_tracking_scaling_policy_configuration",
			attr("TargetValue", "target_value"),
			attr("DisableScaleIn", "disable_scale_in"),
			attr("ScaleInCooldown", "scale_in_cooldown"),
			attr("ScaleOutCooldown", "scale_out_cooldown"),
			block("PredefinedMetricSpecification", "predefined_metric_specification", attr("PredefinedMetricType", "predefined_metric_type"), attr("ResourceLabel", "resource_label")),
		),
	}

	tfSchedule := []tfField{
		attr("Name", "name"),
		attr("GroupName", "group_name"),
		attr("Description", "description"),
		attr("ScheduleExpression", "schedule_expression"),
		attr("ScheduleExpressionTimezone", "schedule_expression_timezone"),
		attr("State", "state"),
		block("FlexibleTimeWindow", "flexible_time_window", attr("Mode", "mode"), attr("MaximumWindowInMinutes", "maximum_window_in_minutes")),
		block("Target", "target",
			attr("Arn", "arn"),
			attr("RoleArn", "role_arn"),
			attr("Input", "input"),
			block("EcsParameters", "ecs_parameters",
				attr("TaskDefinitionArn", "task_definition_arn"),
				attr("TaskCount", "task_count"),
				attr("LaunchType", "launch_type"),
				attr("PlatformVersion", "platform_version"),
				attr("Group", "group"),
				attr("PropagateTags", "propagate_tags"),
				attr("ReferenceId", "reference_id"),
				attr("EnableECSManagedTags", "enable_ecs_managed_tags"),
				attr("EnableExecuteCommand", "enable_execute_command"),
				blocks("CapacityProviderStrategy", "capacity_provider_strategy", tfCapacityProvider...),
				flatten("NetworkConfiguration", block("awsvpcConfiguration", "network_configuration", attr("Subnets", "subnets"), attr("SecurityGroups", "security_groups"), kinded(tfEnabled, "AssignPublicIp", "assign_public_ip"))),
				blocks("PlacementConstraints", "placement_constraints", tfPlacementConstraints...),
				blocks("PlacementStrategy", "placement_strategy", attr("type", "type"), attr("field", "field")),
				kinded(tfJSON, "Tags", "tags"),
			),
			block("RetryPolicy", "retry_policy", attr("MaximumEventAgeInSeconds", "maximum_event_age_in_seconds"), attr("MaximumRetryAttempts", "maximum_retry_attempts")),
			block("DeadLetterConfig", "dead_letter_config", attr("Arn", "arn")),
		),
	}
	return tfSchema{tfTaskDefinition, tfService, tfHealthCheck, tfScalableTarget, tfScalingPolicy, tfSchedule}
})
