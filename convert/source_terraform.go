package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Terraform modules: the .tf and .tf.json files of one directory are one module, as for
// Terraform. Each aws_ecs_task_definition and aws_ecs_service resource of the module, and of the
// modules it calls from a local directory (or that terraform init downloaded), becomes the
// register input it describes, once per instance of its count or for_each. Variables take
// their defaults (with the defaults of optional attributes), terraform.tfvars, *.auto.tfvars,
// SourceOptions.VarFiles and .Vars in Terraform's order for the root module, and the module
// block's arguments for a child module. Expressions are evaluated lazily with HCL and cty's
// function library (source_terraform_eval.go); what Terraform knows only when it applies the
// module becomes a placeholder in Terraform's own syntax ("${aws_iam_role.task.arn}") with a
// finding.

// The resource types read.
const (
	tfTaskDefinition = "aws_ecs_task_definition"
	tfService        = "aws_ecs_service"
)

// IsTerraformFile says whether a file name is a Terraform configuration file.
func IsTerraformFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// ReadTerraform reads the Terraform module in the directory dir of so.Files as a root module and
// hands over a document for each ECS task definition and service. A module that cannot be parsed
// is one error naming the file and line; a resource that cannot be evaluated is an error of its
// own, and the others are still read. The error returned means the directory could not be listed.
func ReadTerraform(dir string, so SourceOptions, fn func(Document), onErr func(*DocError)) error {
	t := NewTerraformModules(so)
	t.Add(dir, true)
	return t.Read(dir, fn, onErr)
}

// TerraformModules reads the Terraform modules of the directories of one run. Each directory is
// parsed once. A directory that another module of the run calls by a local path is a child
// module: it is read through its callers, with the values they give its variables, and not as a
// root module of its own, unless it was named itself.
type TerraformModules struct {
	so      SourceOptions
	configs map[string]*tfConfigMemo
	// sources are the files parsed, for the text of an expression.
	sources map[string][]byte
	dirs    []string
	named   map[string]bool
	// callers says, of a child module's directory, which module calls it; set by the first Read.
	callers map[string]string
	scanned bool
}

type tfConfigMemo struct {
	cfg *tfConfig
	err error
}

// NewTerraformModules starts the modules of a run.
func NewTerraformModules(so SourceOptions) *TerraformModules {
	return &TerraformModules{so: so, configs: map[string]*tfConfigMemo{}, sources: map[string][]byte{}, named: map[string]bool{}}
}

// Add lists a directory of .tf files; named says whether the user named it (a root module then,
// whoever calls it).
func (t *TerraformModules) Add(dir string, named bool) {
	dir = path.Clean(dir)
	if _, seen := t.named[dir]; !seen {
		t.dirs = append(t.dirs, dir)
	}
	t.named[dir] = t.named[dir] || named
}

// Read reads the module in dir: as a root module, or, for a child module of the run, only a note
// that its callers read it.
func (t *TerraformModules) Read(dir string, fn func(Document), onErr func(*DocError)) error {
	if t.so.Files == nil {
		return errNoFiles
	}
	dir = path.Clean(dir)
	if !t.scanned {
		t.scan()
	}
	out := &sourceDocs{fn: fn, onErr: onErr}
	if caller := t.callers[dir]; caller != "" && !t.named[dir] {
		var fs mapping.Findings
		fs.Add("", mapping.Info, "a module that %s calls: its ECS resources are read through that call, with the values it gives the module's variables", caller)
		out.note(DocRef{Source: dir}, fs)
		return nil
	}
	run := t.newRun(dir, out)
	cfg, err := run.config(dir)
	if err != nil {
		var nf *tfNoFilesError
		var pe *fs.PathError
		if errors.As(err, &nf) || errors.As(err, &pe) && pe.Path == dir {
			return err
		}
		onErr(tfDocError(DocRef{Source: dir}, err, true))
		return nil
	}
	root := run.newModule(cfg)
	run.rootModule = root
	if root.rootVals, err = run.rootValues(cfg); err != nil {
		onErr(tfDocError(DocRef{Source: dir}, err, true))
		return nil
	}
	if !run.hasECS(dir, nil, 0) {
		var fs mapping.Findings
		fs.Add("", mapping.Info, "a Terraform module without %s or %s resources (nor a module it calls with them): nothing to convert", tfTaskDefinition, tfService)
		out.note(DocRef{Source: dir}, fs)
	}
	root.readECS()
	return nil
}

// scan parses every module listed and finds the child modules among them.
func (t *TerraformModules) scan() {
	t.scanned = true
	t.callers = map[string]string{}
	for _, dir := range t.dirs {
		cfg, err := t.config(dir)
		if err != nil {
			continue
		}
		for _, call := range cfg.callOrder {
			if !call.local {
				continue
			}
			child := path.Join(dir, call.source)
			if _, listed := t.named[child]; listed && child != dir && t.callers[child] == "" {
				t.callers[child] = fmt.Sprintf("%s (module.%s)", dir, call.name)
			}
		}
	}
}

// config parses the module in dir, once.
func (t *TerraformModules) config(dir string) (*tfConfig, error) {
	dir = path.Clean(dir)
	if c, ok := t.configs[dir]; ok {
		return c.cfg, c.err
	}
	cfg, err := parseTFConfig(t.so.Files, dir, t.sources)
	t.configs[dir] = &tfConfigMemo{cfg, err}
	return cfg, err
}

// tfRun is the reading of one root module with the modules it calls.
type tfRun struct {
	so      *SourceOptions
	modules *TerraformModules
	// root is the root module's directory: Terraform runs there.
	root      string
	out       *sourceDocs
	ph        placeholders
	fns       map[string]function.Function
	installed map[string]string
	noted     map[string]bool
	ecsDirs   map[string]bool
	// rootModule is the root module's instance, for the provider's region.
	rootModule *tfModule
}

func (t *TerraformModules) newRun(root string, out *sourceDocs) *tfRun {
	r := &tfRun{so: &t.so, modules: t, root: root, out: out, noted: map[string]bool{}, ecsDirs: map[string]bool{}}
	r.fns = r.functions()
	r.installed = installedModules(t.so.Files, root)
	return r
}

func (r *tfRun) config(dir string) (*tfConfig, error) { return r.modules.config(dir) }

// cwd is the directory Terraform runs in, for path.cwd and abspath(): the root module's, absolute
// when SourceOptions.WorkDir gives the working directory.
func (r *tfRun) cwd() string {
	if r.so.WorkDir != "" && !path.IsAbs(r.root) {
		return path.Join(r.so.WorkDir, r.root)
	}
	return r.root
}

// workspace is terraform.workspace: TF_WORKSPACE, else "default".
func (r *tfRun) workspace() string {
	if w, ok := r.so.env("TF_WORKSPACE"); ok && w != "" {
		return w
	}
	return "default"
}

func (r *tfRun) newModule(cfg *tfConfig) *tfModule {
	return &tfModule{run: r, cfg: cfg, memos: map[string]tfMemo{}, busy: map[string]bool{}, keys: map[string]tfKeysMemo{}, children: map[string]*tfModule{}}
}

// tfModule is one instance of a module: the root module, or an instance of a module block.
type tfModule struct {
	run *tfRun
	cfg *tfConfig
	// addr is the module's address as a prefix of its resources' ("", "module.service.").
	addr     string
	callPath []string
	depth    int
	parent   *tfModule
	call     *tfCall
	// callVars are the count or each of the module block's instance, for its arguments.
	callVars map[string]cty.Value
	// rootVals are the values .tfvars files and --var give the root module's variables.
	rootVals map[string]cty.Value
	memos    map[string]tfMemo
	busy     map[string]bool
	keys     map[string]tfKeysMemo
	children map[string]*tfModule
}

// tfConfig is the parsed configuration of one module directory.
type tfConfig struct {
	dir       string
	variables map[string]*tfVariable
	locals    map[string]*hcl.Attribute
	outputs   map[string]*hcl.Attribute
	// resources are the managed resources and data sources by address ("aws_iam_role.task",
	// "data.aws_region.current"); types the managed resource types; ecs the ECS resources in
	// file order.
	resources map[string]*tfResource
	types     map[string]bool
	ecs       []*tfResource
	calls     map[string]*tfCall
	callOrder []*tfCall
	// region is the region argument of the default aws provider block.
	region *hcl.Attribute
}

// addProvider keeps the region of the default aws provider: data.aws_region gives it.
func (c *tfConfig) addProvider(b *hcl.Block) {
	if b.Labels[0] != "aws" {
		return
	}
	content, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "region"}, {Name: "alias"}}})
	if content != nil && content.Attributes["alias"] == nil && content.Attributes["region"] != nil {
		c.region = content.Attributes["region"]
	}
}

func (c *tfConfig) variableNames() []string { return sortedKeys(c.variables) }

// undeclared adds a resource the module refers to without declaring it.
func (c *tfConfig) undeclared(typ, name string) {
	addr := typ + "." + name
	if c.resources[addr] == nil {
		c.resources[addr] = &tfResource{addr: addr, typ: typ, name: name}
	}
	c.types[typ] = true
}
func (c *tfConfig) localNames() []string { return sortedKeys(c.locals) }

type tfVariable struct {
	typ        cty.Type
	defaults   *typeexpr.Defaults
	def        cty.Value
	hasDefault bool
	nullable   bool
	decl       hcl.Range
}

type tfResource struct {
	addr, typ, name string
	data            bool
	block           *hcl.Block
	count, forEach  hcl.Expression
}

// attr is an argument the resource's block sets, or nil.
func (r *tfResource) attr(name string) *hcl.Attribute {
	if r.block == nil {
		return nil
	}
	content, _, diags := r.block.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	if diags.HasErrors() || content == nil {
		return nil
	}
	return content.Attributes[name]
}

// tfCall is a module block.
type tfCall struct {
	name           string
	block          *hcl.Block
	source         string
	local          bool
	count, forEach hcl.Expression
	// args are the values of the module's variables.
	args map[string]*hcl.Attribute
}

// tfNoFilesError says a module directory holds no configuration files.
type tfNoFilesError struct{ dir string }

func (e *tfNoFilesError) Error() string { return e.dir + ": no .tf or .tf.json files" }

var tfTopSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
}}

var tfMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}}

// tfModuleMeta are the arguments of a module block that are not the module's variables.
var tfModuleMeta = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}

// parseTFConfig reads every file of a module directory.
func parseTFConfig(files fs.FS, dir string, sources map[string][]byte) (*tfConfig, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	c := &tfConfig{dir: dir, variables: map[string]*tfVariable{}, locals: map[string]*hcl.Attribute{}, outputs: map[string]*hcl.Attribute{},
		resources: map[string]*tfResource{}, types: map[string]bool{}, calls: map[string]*tfCall{}}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !IsTerraformFile(e.Name()) {
			continue
		}
		n++
		body, err := parseTFFile(files, path.Join(dir, e.Name()), sources)
		if err != nil {
			return nil, err
		}
		if err := c.add(body); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, &tfNoFilesError{dir}
	}
	return c, nil
}

func parseTFFile(files fs.FS, name string, sources map[string][]byte) (hcl.Body, error) {
	data, err := fs.ReadFile(files, name)
	if err != nil {
		return nil, err
	}
	if sources != nil {
		sources[name] = data
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

// add takes in the blocks of one file.
func (c *tfConfig) add(body hcl.Body) error {
	content, _, diags := body.PartialContent(tfTopSchema)
	if diags.HasErrors() {
		return diags
	}
	for _, b := range content.Blocks {
		var err error
		switch b.Type {
		case "variable":
			var v *tfVariable
			if v, err = parseTFVariable(b); err == nil {
				c.variables[b.Labels[0]] = v
			}
		case "locals":
			err = c.addLocals(b)
		case "output":
			err = c.addOutput(b)
		case "resource", "data":
			err = c.addResource(b)
		case "module":
			err = c.addCall(b)
		case "provider":
			c.addProvider(b)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *tfConfig) addLocals(b *hcl.Block) error {
	attrs, diags := b.Body.JustAttributes()
	if diags.HasErrors() {
		return diags
	}
	for k, a := range attrs {
		if prev := c.locals[k]; prev != nil {
			return tfError(a.Range, fmt.Sprintf("local.%s is defined twice (also at %s)", k, prev.Range))
		}
		c.locals[k] = a
	}
	return nil
}

func (c *tfConfig) addOutput(b *hcl.Block) error {
	content, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value", Required: true}}})
	if diags.HasErrors() {
		return diags
	}
	c.outputs[b.Labels[0]] = content.Attributes["value"]
	return nil
}

func (c *tfConfig) addResource(b *hcl.Block) error {
	meta, _, diags := b.Body.PartialContent(tfMetaSchema)
	if diags.HasErrors() {
		return diags
	}
	r := &tfResource{typ: b.Labels[0], name: b.Labels[1], data: b.Type == "data", block: b}
	r.addr = r.typ + "." + r.name
	if r.data {
		r.addr = "data." + r.addr
	} else {
		c.types[r.typ] = true
	}
	if a := meta.Attributes["count"]; a != nil {
		r.count = a.Expr
	}
	if a := meta.Attributes["for_each"]; a != nil {
		r.forEach = a.Expr
	}
	if r.count != nil && r.forEach != nil {
		return tfError(b.DefRange, r.addr+": count and for_each cannot both be set")
	}
	if prev := c.resources[r.addr]; prev != nil {
		return tfError(b.DefRange, fmt.Sprintf("%s is declared twice (also at %s)", r.addr, prev.block.DefRange))
	}
	c.resources[r.addr] = r
	if !r.data && (r.typ == tfTaskDefinition || r.typ == tfService) {
		c.ecs = append(c.ecs, r)
	}
	return nil
}

func (c *tfConfig) addCall(b *hcl.Block) error {
	attrs, diags := b.Body.JustAttributes()
	if diags.HasErrors() {
		return diags
	}
	call := &tfCall{name: b.Labels[0], block: b, args: map[string]*hcl.Attribute{}}
	src := attrs["source"]
	if src == nil {
		return tfError(b.DefRange, fmt.Sprintf("module.%s: source is missing", call.name))
	}
	v, diags := src.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		return tfError(src.Range, fmt.Sprintf("module.%s: source must be a literal string", call.name))
	}
	call.source = v.AsString()
	call.local = strings.HasPrefix(call.source, "./") || strings.HasPrefix(call.source, "../")
	for k, a := range attrs {
		switch {
		case k == "count":
			call.count = a.Expr
		case k == "for_each":
			call.forEach = a.Expr
		case !tfModuleMeta[k]:
			call.args[k] = a
		}
	}
	if c.calls[call.name] != nil {
		return tfError(b.DefRange, fmt.Sprintf("module.%s is declared twice", call.name))
	}
	c.calls[call.name] = call
	c.callOrder = append(c.callOrder, call)
	return nil
}

func parseTFVariable(b *hcl.Block) (*tfVariable, error) {
	content, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}, {Name: "nullable"}}})
	if diags.HasErrors() {
		return nil, diags
	}
	v := &tfVariable{typ: cty.DynamicPseudoType, decl: b.DefRange, nullable: true}
	if a := content.Attributes["type"]; a != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		if diags.HasErrors() {
			return nil, diags
		}
		v.typ, v.defaults = ty, defaults
	}
	if a := content.Attributes["default"]; a != nil {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return nil, diags
		}
		v.def, v.hasDefault = val, true
	}
	if a := content.Attributes["nullable"]; a != nil {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() || val.Type() != cty.Bool || val.IsNull() {
			return nil, tfError(a.Range, "nullable must be true or false")
		}
		v.nullable = val.True()
	}
	return v, nil
}

// rootValues are the values of the root module's variables from the .tfvars files and -var
// options, in Terraform's order: terraform.tfvars(.json), *.auto.tfvars(.json) in name order,
// the var files given, the vars given. Terraform ignores values of undeclared variables (with a
// warning), and so does podecs.
func (r *tfRun) rootValues(cfg *tfConfig) (map[string]cty.Value, error) {
	vals := map[string]cty.Value{}
	var files []string
	if entries, err := fs.ReadDir(r.so.Files, cfg.dir); err == nil {
		var auto []string
		for _, e := range entries {
			switch n := e.Name(); {
			case n == "terraform.tfvars" || n == "terraform.tfvars.json":
				files = append(files, path.Join(cfg.dir, n))
			case strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json"):
				auto = append(auto, path.Join(cfg.dir, n))
			}
		}
		sort.Strings(files)
		sort.Strings(auto)
		files = append(files, auto...)
	}
	files = append(files, r.so.VarFiles...)
	for _, f := range files {
		body, err := parseTFFile(r.so.Files, f, nil)
		if err != nil {
			return nil, err
		}
		attrs, diags := body.JustAttributes()
		if diags.HasErrors() {
			return nil, diags
		}
		for _, name := range sortedKeys(attrs) {
			val, diags := attrs[name].Expr.Value(nil)
			if diags.HasErrors() {
				return nil, diags
			}
			vals[name] = val
		}
	}
	for _, name := range sortedKeys(r.so.Vars) {
		v := cfg.variables[name]
		if v == nil {
			continue // a variable of another module of the run
		}
		raw := r.so.Vars[name]
		val := cty.StringVal(raw)
		trimmed := strings.TrimSpace(raw)
		if !v.typ.Equals(cty.String) && !v.typ.Equals(cty.DynamicPseudoType) || strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "{") {
			expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+name, hcl.InitialPos)
			if diags.HasErrors() {
				return nil, diags
			}
			if val, diags = expr.Value(nil); diags.HasErrors() {
				return nil, diags
			}
		}
		vals[name] = val
	}
	return vals, nil
}

// installedModules maps the module blocks terraform init downloaded ("service",
// "service.container_definition") to their directories, from .terraform/modules/modules.json.
func installedModules(files fs.FS, root string) map[string]string {
	data, err := fs.ReadFile(files, path.Join(root, ".terraform/modules/modules.json"))
	if err != nil {
		return nil
	}
	var manifest struct {
		Modules []struct{ Key, Dir string }
	}
	if json.Unmarshal(data, &manifest) != nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range manifest.Modules {
		if m.Key != "" && m.Dir != "" && !path.IsAbs(m.Dir) {
			out[m.Key] = path.Join(root, m.Dir)
		}
	}
	return out
}

// tfDocError turns an error into a DocError of ref. A diagnostic names its file and line: for an
// error of the module as a whole (whole), the file becomes the document's; else the line is given
// with its file when that is not the resource's own.
func tfDocError(ref DocRef, err error, whole bool) *DocError {
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) || len(diags) == 0 {
		var de *DocError
		if errors.As(err, &de) {
			return &DocError{Doc: ref, Path: de.Path, Err: de.Err}
		}
		return &DocError{Doc: ref, Err: err}
	}
	d := diags[0]
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	if d.Subject == nil {
		return &DocError{Doc: ref, Err: errors.New(msg)}
	}
	if whole {
		ref.Source = d.Subject.Filename
	}
	if d.Subject.Filename == ref.Source {
		return &DocError{Doc: ref, Err: fmt.Errorf("line %d: %s", d.Subject.Start.Line, msg)}
	}
	return &DocError{Doc: ref, Err: fmt.Errorf("%s:%d: %s", d.Subject.Filename, d.Subject.Start.Line, msg)}
}

// readECS reads the ECS resources of a module instance, task definitions first, then those of
// the modules it calls.
func (m *tfModule) readECS() {
	for _, typ := range []string{tfTaskDefinition, tfService} {
		for _, res := range m.cfg.ecs {
			if res.typ == typ {
				m.readResource(res)
			}
		}
	}
	for _, call := range m.cfg.callOrder {
		ref := DocRef{Source: call.block.DefRange.Filename, Resource: m.addr + "module." + call.name}
		dir, why := m.callDir(call)
		if dir == "" {
			m.run.noteModule(ref, call, why)
			continue
		}
		if !m.run.hasECS(dir, append(append([]string(nil), m.callPath...), call.name), 0) {
			continue
		}
		keys, err := m.keysOf("module."+call.name, call.count, call.forEach)
		if err == nil && !keys.known {
			err = tfError(call.block.DefRange, "its count or for_each is known only when Terraform applies the module: podecs cannot tell its instances")
		}
		if err != nil {
			m.run.out.fail(ref, "", tfDocError(ref, err, false).Err)
			continue
		}
		for _, k := range keys.keys {
			child, err := m.child(call, dir, keys, k)
			if err != nil {
				r := ref
				r.Resource += keys.text(k)
				m.run.out.fail(r, "", tfDocError(r, err, false).Err)
				continue
			}
			child.readECS()
		}
	}
}

// noteModule reports, once per block, a module podecs cannot read.
func (r *tfRun) noteModule(ref DocRef, call *tfCall, why string) {
	key := call.block.DefRange.String()
	if r.noted[key] {
		return
	}
	r.noted[key] = true
	var fs mapping.Findings
	fs.Add("source", mapping.Lossy, "module %s is not read: %s; any ECS task definition or service it defines is not converted, and its outputs are placeholders (run terraform init, and podecs reads it from .terraform/modules)", call.name, why)
	r.out.note(ref, fs)
}

// hasECS says whether a module, or one it calls, has ECS resources: only those are read.
func (r *tfRun) hasECS(dir string, callPath []string, depth int) bool {
	if v, ok := r.ecsDirs[dir]; ok {
		return v
	}
	if depth > tfMaxDepth {
		return false
	}
	cfg, err := r.config(dir)
	if err != nil {
		return true // reading it reports the error
	}
	r.ecsDirs[dir] = len(cfg.ecs) > 0
	if len(cfg.ecs) == 0 {
		for _, call := range cfg.callOrder {
			var child string
			if call.local {
				child = path.Join(dir, call.source)
			} else {
				child = r.installed[strings.Join(append(append([]string(nil), callPath...), call.name), ".")]
			}
			if child != "" && r.hasECS(child, append(append([]string(nil), callPath...), call.name), depth+1) {
				r.ecsDirs[dir] = true
				break
			}
		}
	}
	return r.ecsDirs[dir]
}

// readResource converts one ECS resource, once per instance.
func (m *tfModule) readResource(res *tfResource) {
	ref := DocRef{Source: res.block.DefRange.Filename, Resource: m.addr + res.addr}
	keys, err := m.keysOf(res.addr, res.count, res.forEach)
	if err == nil && !keys.known {
		err = tfError(res.block.DefRange, "its count or for_each is known only when Terraform applies the module: podecs cannot tell its instances")
	}
	if err != nil {
		m.run.out.fail(ref, "", tfDocError(ref, err, false).Err)
		return
	}
	for _, k := range keys.keys {
		r := ref
		r.Resource += keys.text(k)
		m.instance(res, r, keys.vars(k))
	}
}

// instance converts one instance of an ECS resource.
func (m *tfModule) instance(res *tfResource, ref DocRef, inst map[string]cty.Value) {
	args, target := tfTaskDefinitionArgs, reflect.TypeFor[ecs.RegisterTaskDefinitionInput]()
	if res.typ == tfService {
		args, target = tfServiceArgs, reflect.TypeFor[ecs.CreateServiceInput]()
	}
	fail := func(err error) {
		de := tfDocError(ref, err, false)
		m.run.out.fail(ref, de.Path, de.Err)
	}
	var fs mapping.Findings
	tfUnknownArguments(res.block.Body, args, "", &fs)
	tree, err := m.body(res.block.Body, args, inst, "", &fs)
	if err != nil {
		fail(err)
		return
	}
	fitted := fitPlaceholders(tree, target, "", m.run.ph.is, &fs)
	js, err := json.Marshal(fitted)
	if err != nil {
		fail(err)
		return
	}
	var in any
	if res.typ == tfTaskDefinition {
		// The provider decodes container_definitions with encoding/json, which matches member
		// names without regard to case ("entrypoint").
		td := &ecs.RegisterTaskDefinitionInput{}
		if _, err := ecsjson.UnmarshalWith(js, td, ecsjson.Options{FoldCase: true}); err != nil {
			fail(ecsFieldError(err))
			return
		}
		in = td
	} else {
		svc := &ecs.CreateServiceInput{}
		if err := ecsjson.Unmarshal(js, svc); err != nil {
			fail(ecsFieldError(err))
			return
		}
		in = svc
	}
	m.run.out.add(ref, in, append(fs, m.run.ph.findings(in)...))
}

// tfSchema is the schema of a body with the provider's arguments, and dynamic blocks.
func tfSchema(args []tfArg) *hcl.BodySchema {
	schema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}}
	for _, a := range args {
		if a.block != nil {
			schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: a.tf})
		} else {
			schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a.tf})
		}
	}
	return schema
}

// body evaluates a block body against the provider's arguments and gives the API's members.
func (m *tfModule) body(body hcl.Body, args []tfArg, inst map[string]cty.Value, p string, fs *mapping.Findings) (map[string]any, error) {
	content, _, diags := body.PartialContent(tfSchema(args))
	if diags.HasErrors() {
		return nil, diags
	}
	out := map[string]any{}
	for _, a := range args {
		switch {
		case a.block != nil:
			var list []any
			for _, blk := range content.Blocks {
				switch {
				case blk.Type == a.tf:
					v, err := m.body(blk.Body, a.block, inst, mapping.Join(p, a.tf), fs)
					if err != nil {
						return nil, err
					}
					list = append(list, v)
				case blk.Type == "dynamic" && blk.Labels[0] == a.tf:
					vs, err := m.dynamic(blk, a, inst, p, fs)
					if err != nil {
						return nil, err
					}
					list = append(list, vs...)
				}
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
				if v, err := m.value(attr.Expr, inst); err != nil || !v.IsNull() {
					fs.Add(mapping.Join(p, a.tf), mapping.Info, "%s is a Terraform setting with no place in the ECS API input; ignored", a.tf)
				}
				continue
			}
			text := m.run.exprText(attr.Expr)
			val, err := m.value(attr.Expr, inst)
			if err != nil {
				return nil, tfInArgument(err, a.tf+" = "+text)
			}
			v := m.run.jsonOf(val, text)
			if v == nil {
				continue
			}
			if what, ok := m.run.ph.is(v); ok && a.kind != tfPlain && a.kind != tfString {
				if a.kind == tfJSON {
					return nil, tfError(attr.Range, fmt.Sprintf("%s: not known before Terraform applies the module: %s (%s); podecs cannot read the containers of this task definition", a.tf, v, what))
				}
				fs.Add(mapping.Join(p, a.tf), mapping.Lossy, "not known before deployment: %s (%s); left out, to fill in by hand", v, what)
				continue
			}
			raw := v
			if v, err = a.convert(v); err != nil {
				if s, ok := raw.(string); ok && m.run.ph.contains(s) {
					err = fmt.Errorf("%v (a value known only when Terraform applies the module stands in it as a placeholder)", err)
				}
				return nil, tfError(attr.Range, fmt.Sprintf("%s: %v", a.tf, err))
			}
			setPath(out, a.api, v)
		}
	}
	return out, nil
}

// tfDynamicSchema is the schema of a dynamic block's body.
var tfDynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// dynamic expands a dynamic block as Terraform does: its content once per element of for_each,
// in the collection's order, with the iterator (the block type, or the iterator argument) bound
// to an object of the element's key and value. A for_each not known before Terraform applies
// the module leaves the blocks out with a finding.
func (m *tfModule) dynamic(blk *hcl.Block, a tfArg, inst map[string]cty.Value, p string, fs *mapping.Findings) ([]any, error) {
	c, diags := blk.Body.Content(tfDynamicSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	contents := c.Blocks.OfType("content")
	if len(contents) != 1 {
		return nil, tfError(blk.DefRange, fmt.Sprintf("dynamic %q: needs exactly one content block, not %d", a.tf, len(contents)))
	}
	iter := a.tf
	if it := c.Attributes["iterator"]; it != nil {
		if iter = hcl.ExprAsKeyword(it.Expr); iter == "" {
			return nil, tfError(it.Expr.Range(), fmt.Sprintf("dynamic %q: iterator must be a single name", a.tf))
		}
	}
	forEach := c.Attributes["for_each"]
	val, err := m.value(forEach.Expr, inst)
	if err != nil {
		return nil, tfInArgument(err, "dynamic "+a.tf+" for_each = "+m.run.exprText(forEach.Expr))
	}
	val, _ = val.Unmark()
	bad := func(msg string) error {
		return tfError(forEach.Expr.Range(), fmt.Sprintf("dynamic %q: for_each: %s", a.tf, msg))
	}
	switch ty := val.Type(); {
	case !val.IsKnown():
		v := m.run.jsonOf(val, m.run.exprText(forEach.Expr))
		fs.Add(mapping.Join(p, a.tf), mapping.Lossy, "not known before deployment: the dynamic %s blocks' for_each = %v; left out, to fill in by hand", a.tf, v)
		return nil, nil
	case val.IsNull():
		return nil, bad("cannot be null")
	case !ty.IsListType() && !ty.IsSetType() && !ty.IsTupleType() && !ty.IsMapType() && !ty.IsObjectType():
		return nil, bad("must be a collection (a list, set, tuple, map or object), not " + ty.FriendlyName())
	}
	var out []any
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if ty := val.Type(); ty.IsSetType() {
			k = v
		}
		scope := make(map[string]cty.Value, len(inst)+1)
		for name, x := range inst {
			scope[name] = x
		}
		scope[iter] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
		body, err := m.body(contents[0].Body, a.block, scope, mapping.Join(p, a.tf), fs)
		if err != nil {
			return nil, err
		}
		out = append(out, body)
	}
	return out, nil
}

// tfInArgument says in an evaluation error which argument it is the value of.
func tfInArgument(err error, arg string) error {
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) || len(diags) == 0 {
		return fmt.Errorf("%s: %w", arg, err)
	}
	d := *diags[0]
	if len(arg) > 120 {
		arg = arg[:117] + "..."
	}
	d.Summary = arg + ": " + d.Summary
	return hcl.Diagnostics{&d}
}

// jsonOf is the JSON form of a value for an ECS argument: its unknown parts become placeholders.
func (r *tfRun) jsonOf(v cty.Value, text string) any {
	v, _ = r.fillUnknowns(v, text).UnmarkDeep()
	if v.IsNull() {
		return nil
	}
	js, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(js, &out)
	return out
}

// exprText is an expression's source text, on one line.
func (r *tfRun) exprText(expr hcl.Expression) string {
	if t, ok := hcl.UnwrapExpression(expr).(*hclsyntax.ScopeTraversalExpr); ok {
		return traversalText(t.Traversal)
	}
	rng := expr.Range()
	src := r.modules.sources[rng.Filename]
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte >= rng.End.Byte {
		return rng.String()
	}
	return strings.Join(strings.Fields(string(src[rng.Start.Byte:rng.End.Byte])), " ")
}

// tfUnknownArguments reports the arguments and blocks (dynamic ones by the block type they make)
// the provider's schema does not list, in a body as written.
func tfUnknownArguments(body hcl.Body, args []tfArg, p string, fs *mapping.Findings) {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	known := map[string]*tfArg{}
	for i := range args {
		known[args[i].tf] = &args[i]
	}
	var names []string
	for name := range b.Attributes {
		if known[name] == nil || known[name].block != nil {
			switch name {
			case "count", "for_each", "depends_on", "provider":
				continue
			}
			names = append(names, name)
		}
	}
	for _, blk := range b.Blocks {
		typ, inner := blk.Type, blk.Body
		if typ == "dynamic" {
			if len(blk.Labels) == 0 {
				continue
			}
			typ, inner = blk.Labels[0], nil
			for _, c := range blk.Body.Blocks {
				if c.Type == "content" {
					inner = c.Body
				}
			}
		}
		switch typ {
		case "lifecycle", "timeouts", "provisioner", "connection":
			continue
		}
		a := known[typ]
		if a == nil || a.block == nil {
			names = append(names, typ)
			continue
		}
		if inner != nil {
			tfUnknownArguments(inner, a.block, mapping.Join(p, typ), fs)
		}
	}
	sort.Strings(names)
	for i, n := range names {
		if i > 0 && names[i-1] == n {
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
