package convert

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	ctyconvert "github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Terraform modules: the .tf and .tf.json files of one directory are one module, as for Terraform.
// Each aws_ecs_task_definition and aws_ecs_service resource becomes the register input it
// describes. The module is parsed and evaluated with HCL and cty's function library: variables
// from their defaults, terraform.tfvars, *.auto.tfvars, SourceOptions.VarFiles and .Vars (in
// Terraform's order), locals, file() and templatefile() through SourceOptions.Files. A reference to
// another resource, a data source or a module output becomes a placeholder in Terraform's own
// syntax ("${aws_iam_role.task.arn}") with a finding; a reference to a task definition of the
// module gives its family, so that services find it.

// The resource types read.
const (
	tfTaskDefinition = "aws_ecs_task_definition"
	tfService        = "aws_ecs_service"
)

// IsTerraformFile says whether a file name is a Terraform configuration file.
func IsTerraformFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// ReadTerraform reads the Terraform module in the directory dir of so.Files and hands over a
// document for each ECS task definition and service. A module that cannot be parsed is one error
// naming the file and line; a resource that cannot be evaluated is an error of its own, and the
// others are still read. The error returned means the directory could not be listed.
func ReadTerraform(dir string, so SourceOptions, fn func(Document), onErr func(*DocError)) error {
	if so.Files == nil {
		return errors.New("no file system to read the module from")
	}
	entries, err := fs.ReadDir(so.Files, dir)
	if err != nil {
		return err
	}
	m := &tfModule{so: &so, dir: dir, out: &sourceDocs{fn: fn, onErr: onErr}}
	for _, e := range entries {
		if !e.IsDir() && IsTerraformFile(e.Name()) {
			m.files = append(m.files, path.Join(dir, e.Name()))
		}
	}
	if len(m.files) == 0 {
		return fmt.Errorf("%s: no .tf or .tf.json files", dir)
	}
	if err := m.parse(); err != nil {
		onErr(m.diagError(err))
		return nil
	}
	m.read()
	return nil
}

// tfModule is one module being read.
type tfModule struct {
	so    *SourceOptions
	dir   string
	files []string
	out   *sourceDocs
	// bodies are the parsed files, in name order.
	bodies    []hcl.Body
	variables map[string]*tfVariable
	locals    map[string]*hcl.Attribute
	resources []*hcl.Block
	// vars and localVals are the evaluated values; families the task definitions' families by name.
	vars      map[string]cty.Value
	localVals map[string]cty.Value
	// families are the families of the task definitions read, by name and then instance key
	// ("" without count or for_each, "0", "api"): a reference to one names it.
	families map[string]map[string]string
	ph       placeholders
	fns      map[string]function.Function
}

type tfVariable struct {
	typ   cty.Type
	set   bool
	value cty.Value
	decl  hcl.Range
}

var tfTopSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
}}

// parse reads every file of the module and its variable values.
func (m *tfModule) parse() error {
	m.variables, m.locals = map[string]*tfVariable{}, map[string]*hcl.Attribute{}
	for _, name := range m.files {
		body, err := m.parseFile(name)
		if err != nil {
			return err
		}
		m.bodies = append(m.bodies, body)
		content, _, diags := body.PartialContent(tfTopSchema)
		if diags.HasErrors() {
			return diags
		}
		for _, b := range content.Blocks {
			switch b.Type {
			case "variable":
				v, err := parseVariable(b)
				if err != nil {
					return err
				}
				m.variables[b.Labels[0]] = v
			case "locals":
				attrs, diags := b.Body.JustAttributes()
				if diags.HasErrors() {
					return diags
				}
				for k, a := range attrs {
					if prev := m.locals[k]; prev != nil {
						return fmt.Errorf("%s: local.%s is defined twice (also at %s)", a.Range, k, prev.Range)
					}
					m.locals[k] = a
				}
			case "resource":
				if b.Labels[0] == tfTaskDefinition || b.Labels[0] == tfService {
					m.resources = append(m.resources, b)
				}
			}
		}
	}
	return m.variableValues()
}

func (m *tfModule) parseFile(name string) (hcl.Body, error) {
	data, err := fs.ReadFile(m.so.Files, name)
	if err != nil {
		return nil, err
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(name, ".json") {
		f, diags = hcljson.Parse(data, name)
	} else {
		f, diags = hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return f.Body, nil
}

func parseVariable(b *hcl.Block) (*tfVariable, error) {
	content, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}}})
	if diags.HasErrors() {
		return nil, diags
	}
	v := &tfVariable{typ: cty.DynamicPseudoType, decl: b.DefRange}
	if a := content.Attributes["type"]; a != nil {
		ty, diags := typeexpr.TypeConstraint(a.Expr)
		if diags.HasErrors() {
			return nil, diags
		}
		v.typ = ty
	}
	if a := content.Attributes["default"]; a != nil {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return nil, diags
		}
		v.value, v.set = val, !val.IsNull()
	}
	return v, nil
}

// variableValues applies the values of the .tfvars files and -var options, in Terraform's order:
// terraform.tfvars(.json), *.auto.tfvars(.json) in name order, the var files given, the vars given.
func (m *tfModule) variableValues() error {
	var files []string
	if entries, err := fs.ReadDir(m.so.Files, m.dir); err == nil {
		var auto []string
		for _, e := range entries {
			switch n := e.Name(); {
			case n == "terraform.tfvars" || n == "terraform.tfvars.json":
				files = append(files, path.Join(m.dir, n))
			case strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json"):
				auto = append(auto, path.Join(m.dir, n))
			}
		}
		sort.Strings(files)
		sort.Strings(auto)
		files = append(files, auto...)
	}
	files = append(files, m.so.VarFiles...)
	for _, f := range files {
		body, err := m.parseFile(f)
		if err != nil {
			return err
		}
		attrs, diags := body.JustAttributes()
		if diags.HasErrors() {
			return diags
		}
		for _, name := range sortedKeys(attrs) {
			a := attrs[name]
			val, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return diags
			}
			m.setVariable(name, val)
		}
	}
	names := make([]string, 0, len(m.so.Vars))
	for k := range m.so.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v := m.variables[name]
		if v == nil {
			continue // a variable of another module of the run
		}
		raw := m.so.Vars[name]
		val := cty.StringVal(raw)
		if !v.typ.Equals(cty.String) && !v.typ.Equals(cty.DynamicPseudoType) || strings.HasPrefix(strings.TrimSpace(raw), "[") || strings.HasPrefix(strings.TrimSpace(raw), "{") {
			expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+name, hcl.InitialPos)
			if diags.HasErrors() {
				return diags
			}
			if val, diags = expr.Value(nil); diags.HasErrors() {
				return diags
			}
		}
		m.setVariable(name, val)
	}
	m.vars = map[string]cty.Value{}
	for name, v := range m.variables {
		if !v.set {
			m.vars[name] = cty.StringVal(m.ph.add("${var."+name+"}", "variable "+name+" has no value: give it with --var "+name+"=VALUE or a .tfvars file"))
			continue
		}
		val, err := ctyconvert.Convert(v.value, v.typ)
		if err != nil {
			return fmt.Errorf("%s: variable %q: %v", v.decl, name, err)
		}
		m.vars[name] = val
	}
	return nil
}

func (m *tfModule) setVariable(name string, val cty.Value) {
	if v := m.variables[name]; v != nil { // Terraform warns about undeclared ones, and goes on
		v.value, v.set = val, !val.IsNull()
	}
}

// diagError turns a parse or evaluation error into a DocError naming the file.
func (m *tfModule) diagError(err error) *DocError {
	ref := DocRef{Source: m.dir}
	var diags hcl.Diagnostics
	if errors.As(err, &diags) && len(diags) > 0 && diags[0].Subject != nil {
		ref.Source = diags[0].Subject.Filename
		d := diags[0]
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		return &DocError{Doc: ref, Err: fmt.Errorf("line %d: %s", d.Subject.Start.Line, msg)}
	}
	return &DocError{Doc: ref, Err: err}
}

// read evaluates the locals and converts the task definitions, then the services.
func (m *tfModule) read() {
	ctx := m.evalContext(nil)
	if err := m.evalLocals(ctx); err != nil {
		m.out.onErr(m.diagError(err))
		return
	}
	m.families = map[string]map[string]string{}
	for _, typ := range []string{tfTaskDefinition, tfService} {
		for _, b := range m.resources {
			if b.Labels[0] == typ {
				m.resource(b)
			}
		}
	}
}

// evalLocals evaluates the locals in dependency order.
func (m *tfModule) evalLocals(ctx *hcl.EvalContext) error {
	m.localVals = map[string]cty.Value{}
	pending := make([]string, 0, len(m.locals))
	for k := range m.locals {
		pending = append(pending, k)
	}
	sort.Strings(pending)
	for len(pending) > 0 {
		var next []string
		for _, name := range pending {
			a := m.locals[name]
			if !m.localsReady(a.Expr) {
				next = append(next, name)
				continue
			}
			ctx.Variables["local"] = cty.ObjectVal(m.localVals)
			v, diags := m.eval(a.Expr, ctx)
			if diags.HasErrors() {
				return diags
			}
			m.localVals[name] = v
		}
		if len(next) == len(pending) {
			a := m.locals[next[0]]
			return fmt.Errorf("%s: local.%s: refers to locals that cannot be evaluated (a cycle, or a local that does not exist)", a.Range, next[0])
		}
		pending = next
	}
	ctx.Variables["local"] = cty.ObjectVal(m.localVals)
	return nil
}

func (m *tfModule) localsReady(expr hcl.Expression) bool {
	for _, t := range expr.Variables() {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			if _, done := m.localVals[a.Name]; !done {
				return false
			}
		}
	}
	return true
}

// evalContext is the context expressions are evaluated in: var, local, path, terraform, the
// functions, and each or count of a resource instance.
func (m *tfModule) evalContext(inst map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":       cty.ObjectVal(m.vars),
		"local":     cty.ObjectVal(m.localVals),
		"path":      cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(m.dir), "root": cty.StringVal(m.dir), "cwd": cty.StringVal(".")}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")}),
	}
	if len(m.vars) == 0 {
		vars["var"] = cty.EmptyObjectVal
	}
	if len(m.localVals) == 0 {
		vars["local"] = cty.EmptyObjectVal
	}
	for k, v := range inst {
		vars[k] = v
	}
	if m.fns == nil {
		m.fns = m.functions()
	}
	return &hcl.EvalContext{Variables: vars, Functions: m.fns}
}

// eval evaluates an expression; references to resources, data sources and modules become
// placeholders first.
func (m *tfModule) eval(expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	c := ctx.NewChild()
	c.Variables = m.references(expr, ctx)
	v, diags := expr.Value(c)
	if diags.HasErrors() || v.IsWhollyKnown() {
		return v, diags
	}
	return cty.StringVal(m.ph.add("${"+exprText(expr)+"}", "a value Terraform knows only when it applies the module")), nil
}

// exprText is an expression's source text, as far as it can be had.
func exprText(expr hcl.Expression) string {
	if e, ok := expr.(hclsyntax.Expression); ok {
		if t, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
			return traversalText(t.Traversal)
		}
	}
	return strings.TrimSpace(expr.Range().String())
}

// references gives every root name an expression refers to that the context does not hold a
// value: a tree of objects whose leaves are placeholders ("${aws_iam_role.task.arn}").
func (m *tfModule) references(expr hcl.Expression, ctx *hcl.EvalContext) map[string]cty.Value {
	tree := map[string]any{}
	for _, t := range expr.Variables() {
		root := t.RootName()
		if _, ok := ctx.Variables[root]; ok {
			continue
		}
		if ctx.Parent() != nil {
			if _, ok := ctx.Parent().Variables[root]; ok {
				continue
			}
		}
		if v, ok := m.taskDefinitionRef(t); ok {
			node, _ := tree[tfTaskDefinition].(map[string]any)
			if node == nil {
				node = map[string]any{}
				tree[tfTaskDefinition] = node
			}
			node[t[1].(hcl.TraverseAttr).Name] = v
			continue
		}
		m.addReference(tree, t)
	}
	out := map[string]cty.Value{}
	for k, v := range tree {
		out[k] = m.referenceValue(v, k)
	}
	return out
}

// addReference adds the attribute steps of a traversal to the tree; index steps end it.
func (m *tfModule) addReference(tree map[string]any, t hcl.Traversal) {
	node := tree
	steps := []string{t.RootName()}
	for _, s := range t[1:] {
		a, ok := s.(hcl.TraverseAttr)
		if !ok {
			break
		}
		steps = append(steps, a.Name)
	}
	for i, name := range steps {
		if i == len(steps)-1 {
			if _, ok := node[name]; !ok {
				node[name] = true
			}
			return
		}
		child, ok := node[name].(map[string]any)
		if !ok {
			child = map[string]any{}
			node[name] = child
		}
		node = child
	}
}

func (m *tfModule) referenceValue(v any, p string) cty.Value {
	if val, ok := v.(cty.Value); ok {
		return val
	}
	children, ok := v.(map[string]any)
	if !ok {
		return cty.StringVal(m.leaf(p))
	}
	obj := map[string]cty.Value{}
	for k, c := range children {
		obj[k] = m.referenceValue(c, p+"."+k)
	}
	return cty.ObjectVal(obj)
}

// leaf is the value of a reference: the family of a task definition of the module, the region
// of data.aws_region, else a placeholder.
func (m *tfModule) leaf(p string) string {
	parts := strings.Split(p, ".")
	if len(parts) == 4 && parts[0] == "data" && parts[1] == "aws_region" && (parts[3] == "name" || parts[3] == "region" || parts[3] == "id") && m.so.Region != "" {
		return m.so.Region
	}
	what := "the " + strings.Join(parts[len(parts)-1:], "") + " of " + strings.Join(parts[:len(parts)-1], ".")
	switch parts[0] {
	case "data":
		what += " (a data source)"
	case "module":
		what += " (a module output)"
	default:
		what += " (another resource)"
	}
	return m.ph.add("${"+p+"}", what)
}

// taskDefinitionRef is the value of aws_ecs_task_definition.NAME when the module has read that
// task definition: its family, arn and id all name the family (an object per instance for count
// and for_each), so that a service finds the task definition it runs.
func (m *tfModule) taskDefinitionRef(t hcl.Traversal) (cty.Value, bool) {
	if t.RootName() != tfTaskDefinition || len(t) < 2 {
		return cty.NilVal, false
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if !ok || m.families[a.Name] == nil {
		return cty.NilVal, false
	}
	attrs := func(fam string) cty.Value {
		v := cty.StringVal(fam)
		return cty.ObjectVal(map[string]cty.Value{"family": v, "arn": v, "arn_without_revision": v, "id": v})
	}
	insts := m.families[a.Name]
	if fam, single := insts[""]; single {
		return attrs(fam), true
	}
	obj := map[string]cty.Value{}
	for k, fam := range insts {
		obj[k] = attrs(fam)
	}
	if _, counted := insts["0"]; counted {
		list := make([]cty.Value, len(insts))
		for i := range list {
			list[i] = obj[fmt.Sprint(i)]
		}
		if !slices.ContainsFunc(list, func(v cty.Value) bool { return v == cty.NilVal }) {
			return cty.TupleVal(list), true
		}
	}
	return cty.ObjectVal(obj), true
}

func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch x := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(x.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + x.Name)
		case hcl.TraverseIndex:
			if x.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", x.Key.AsString())
			} else if x.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", x.Key.AsBigFloat().Text('f', -1))
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// resource converts one resource block, once per instance of its count or for_each.
func (m *tfModule) resource(b *hcl.Block) {
	ref := DocRef{Source: b.DefRange.Filename, Resource: b.Labels[0] + "." + b.Labels[1]}
	meta, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}})
	if diags.HasErrors() {
		m.out.fail(ref, "", m.diagError(diags).Err)
		return
	}
	instances, err := m.instances(meta)
	if err != nil {
		m.out.fail(ref, "", m.diagError(err).Err)
		return
	}
	for _, inst := range instances {
		r := ref
		r.Resource += inst.key
		m.instance(b, r, inst)
	}
}

type tfInstance struct {
	// key is the instance key as Terraform writes it ("[0]", "[\"api\"]"), index the bare key.
	key, index string
	vars       map[string]cty.Value
}

// instances are the instances count or for_each make: one without either.
func (m *tfModule) instances(meta *hcl.BodyContent) ([]tfInstance, error) {
	ctx := m.evalContext(nil)
	if a := meta.Attributes["count"]; a != nil {
		v, diags := m.eval(a.Expr, ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		n, err := ctyconvert.Convert(v, cty.Number)
		if err != nil || !n.IsKnown() || n.IsNull() {
			return nil, fmt.Errorf("%s: count must be a whole number known before apply", a.Range)
		}
		c, _ := n.AsBigFloat().Int64()
		var out []tfInstance
		for i := range c {
			out = append(out, tfInstance{key: fmt.Sprintf("[%d]", i), index: fmt.Sprint(i), vars: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}})
		}
		return out, nil
	}
	if a := meta.Attributes["for_each"]; a != nil {
		v, diags := m.eval(a.Expr, ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		if !v.CanIterateElements() || !v.IsWhollyKnown() || v.Type() == cty.String {
			return nil, fmt.Errorf("%s: for_each must be a map or a set of strings known before apply", a.Range)
		}
		var out []tfInstance
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if v.Type().IsSetType() {
				k = e
			}
			if k.Type() != cty.String {
				return nil, fmt.Errorf("%s: for_each keys must be strings", a.Range)
			}
			out = append(out, tfInstance{key: fmt.Sprintf("[%q]", k.AsString()), index: k.AsString(), vars: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": e})}})
		}
		return out, nil
	}
	return []tfInstance{{}}, nil
}

// instance converts one instance of a resource.
func (m *tfModule) instance(b *hcl.Block, ref DocRef, inst tfInstance) {
	ctx := m.evalContext(inst.vars)
	schema := tfTaskDefinitionArgs
	if b.Labels[0] == tfService {
		schema = tfServiceArgs
	}
	var fs mapping.Findings
	v, err := m.body(dynblock.Expand(b.Body, ctx), schema, ctx, "", &fs)
	if err != nil {
		var de *DocError
		if errors.As(err, &de) {
			m.out.fail(ref, de.Path, de.Err)
		} else {
			m.out.fail(ref, "", m.diagError(err).Err)
		}
		return
	}
	js, err := json.Marshal(v)
	if err != nil {
		m.out.fail(ref, "", err)
		return
	}
	var in any
	if b.Labels[0] == tfTaskDefinition {
		td := &ecs.RegisterTaskDefinitionInput{}
		if err := ecsjson.Unmarshal(js, td); err != nil {
			m.out.fail(ref, "", ecsFieldError(err))
			return
		}
		if td.Family != nil {
			if m.families[b.Labels[1]] == nil {
				m.families[b.Labels[1]] = map[string]string{}
			}
			m.families[b.Labels[1]][inst.index] = aws.ToString(td.Family)
		}
		in = td
	} else {
		svc := &ecs.CreateServiceInput{}
		if err := ecsjson.Unmarshal(js, svc); err != nil {
			m.out.fail(ref, "", ecsFieldError(err))
			return
		}
		in = svc
	}
	m.out.add(ref, in, append(fs, m.ph.findings(in)...))
}

// body evaluates a block body against the provider's arguments and gives the API's members.
func (m *tfModule) body(body hcl.Body, args []tfArg, ctx *hcl.EvalContext, p string, fs *mapping.Findings) (map[string]any, error) {
	schema := &hcl.BodySchema{}
	for _, a := range args {
		if a.block != nil {
			schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: a.tf})
		} else {
			schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a.tf})
		}
	}
	content, rest, diags := body.PartialContent(schema)
	if diags.HasErrors() {
		return nil, diags
	}
	m.unknownArguments(rest, p, fs)
	out := map[string]any{}
	for _, a := range args {
		switch {
		case a.block != nil:
			var list []any
			for _, blk := range content.Blocks.OfType(a.tf) {
				v, err := m.body(blk.Body, a.block, ctx, mapping.Join(p, a.tf), fs)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if len(list) == 0 {
				continue
			}
			if a.single {
				setPath(out, a.api, list[0])
			} else {
				setPath(out, a.api, list)
			}
		case content.Attributes[a.tf] != nil:
			attr := content.Attributes[a.tf]
			if a.api == "" {
				fs.Add(mapping.Join(p, a.tf), mapping.Info, "%s is a Terraform setting with no place in the ECS API input; ignored", a.tf)
				continue
			}
			val, diags := m.eval(attr.Expr, ctx)
			if diags.HasErrors() {
				return nil, diags
			}
			if val.IsNull() {
				continue
			}
			js, err := ctyjson.Marshal(val, val.Type())
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", attr.Range, a.tf, err)
			}
			var v any
			_ = json.Unmarshal(js, &v)
			v, err = a.convert(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", attr.Range, a.tf, err)
			}
			setPath(out, a.api, v)
		}
	}
	return out, nil
}

// unknownArguments reports the arguments and blocks the provider's schema here does not list.
func (m *tfModule) unknownArguments(rest hcl.Body, p string, fs *mapping.Findings) {
	b, ok := rest.(*hclsyntax.Body)
	if !ok {
		return
	}
	var names []string
	for name := range b.Attributes {
		names = append(names, name)
	}
	for _, blk := range b.Blocks {
		switch blk.Type {
		case "lifecycle", "dynamic", "timeouts", "provisioner", "connection":
			continue
		}
		names = append(names, blk.Type)
	}
	sort.Strings(names)
	for _, n := range names {
		switch n {
		case "count", "for_each", "depends_on", "provider":
			continue
		}
		fs.Add(mapping.Join(p, n), mapping.Lossy, "%s is not an argument podecs knows for this resource; ignored", n)
	}
}

// setPath sets a dotted member path ("deploymentConfiguration.maximumPercent") in a JSON object.
func setPath(obj map[string]any, p string, v any) {
	head, rest, nested := strings.Cut(p, ".")
	if !nested {
		obj[head] = v
		return
	}
	child, ok := obj[head].(map[string]any)
	if !ok {
		child = map[string]any{}
		obj[head] = child
	}
	setPath(child, rest, v)
}

// functions are Terraform's built-in functions that podecs evaluates: cty's library, and file,
// templatefile and fileexists reading through SourceOptions.Files.
func (m *tfModule) functions() map[string]function.Function {
	fns := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc, "chunklist": stdlib.ChunklistFunc,
		"coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"floor": stdlib.FloorFunc, "format": stdlib.FormatFunc, "formatdate": stdlib.FormatDateFunc,
		"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc,
		"join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
		"keys": stdlib.KeysFunc, "length": stdlib.LengthFunc, "log": stdlib.LogFunc, "lookup": stdlib.LookupFunc,
		"lower": stdlib.LowerFunc, "max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "range": stdlib.RangeFunc, "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"signum": stdlib.SignumFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "timeadd": stdlib.TimeAddFunc, "title": stdlib.TitleFunc,
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), "tonumber": stdlib.MakeToFunc(cty.Number),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"base64encode": base64EncodeFunc, "base64decode": base64DecodeFunc,
	}
	fns["replace"] = replaceFunc
	fns["file"] = m.fileFunc()
	fns["fileexists"] = m.fileExistsFunc()
	fns["templatefile"] = m.templateFileFunc(fns)
	return fns
}

// replaceFunc is Terraform's replace: a substring, or a regular expression between slashes.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if s := args[1].AsString(); len(s) > 1 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
			return stdlib.RegexReplace(args[0], cty.StringVal(s[1:len(s)-1]), args[2])
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})

var base64EncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var base64DecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("not base64: %w", err)
		}
		return cty.StringVal(string(b)), nil
	},
})

// modulePath is a path given to file() or templatefile(): relative ones are relative to the
// directory Terraform runs in, which podecs takes to be the module's.
func (m *tfModule) modulePath(p string) string {
	if path.IsAbs(p) || strings.HasPrefix(p, m.dir+"/") || m.dir == "." {
		return path.Clean(p)
	}
	return path.Join(m.dir, p)
}

func (m *tfModule) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			data, err := fs.ReadFile(m.so.Files, m.modulePath(args[0].AsString()))
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(data)), nil
		},
	})
}

func (m *tfModule) fileExistsFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, err := fs.Stat(m.so.Files, m.modulePath(args[0].AsString()))
			return cty.BoolVal(err == nil), nil
		},
	})
}

// templateFileFunc renders a file as an HCL template with the variables given, as Terraform does.
func (m *tfModule) templateFileFunc(fns map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := m.modulePath(args[0].AsString())
			data, err := fs.ReadFile(m.so.Files, name)
			if err != nil {
				return cty.NilVal, err
			}
			expr, diags := hclsyntax.ParseTemplate(data, name, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			vars := map[string]cty.Value{}
			if v := args[1]; !v.IsNull() && v.CanIterateElements() {
				for it := v.ElementIterator(); it.Next(); {
					k, e := it.Element()
					vars[k.AsString()] = e
				}
			}
			v, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: fns})
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			return ctyconvert.Convert(v, cty.String)
		},
	})
}
