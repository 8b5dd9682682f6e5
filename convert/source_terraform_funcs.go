package convert

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"math/big"
	"net/url"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyconvert "github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"sigs.k8s.io/yaml"
)

// Terraform's built-in functions, as podecs evaluates them: cty's function library where it
// implements Terraform's function, small ones of our own where it does not (Terraform's coalesce
// skips empty strings, its replace takes /regexp/, …), and file() and templatefile() reading
// through SourceOptions.Files. jsonencode and templatefile give a document even when part of
// their argument is known only after apply: the unknown parts become placeholders in it, so
// that container definitions built from another resource's attribute still convert. A function
// whose result Terraform itself knows only at apply (timestamp, uuid, bcrypt, …) or that podecs
// does not implement (the cidr functions, provider functions) gives an unknown value, which
// becomes a placeholder if it reaches an ECS field.

// tfUnknownFunctions are Terraform's functions podecs gives an unknown result for.
var tfUnknownFunctions = []string{
	"bcrypt", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "fileset", "issensitive",
	"pathexpand", "plantimestamp", "rsadecrypt", "textdecodebase64", "textencodebase64", "timecmp",
	"timestamp", "type", "uuid", "uuidv5", "ephemeralasnull",
}

// functions are the functions of this run's expressions.
func (r *tfRun) functions() map[string]function.Function {
	fns := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc, "chunklist": stdlib.ChunklistFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"floor": stdlib.FloorFunc, "format": stdlib.FormatFunc, "formatdate": stdlib.FormatDateFunc,
		"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc,
		"join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"keys": stdlib.KeysFunc, "length": tfLengthFunc, "log": stdlib.LogFunc, "lookup": stdlib.LookupFunc,
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
		"base64encode": stringFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": stringFunc(func(s string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return "", fmt.Errorf("not base64: %w", err)
			}
			return string(b), nil
		}),
		"basename":     stringFunc(func(s string) (string, error) { return path.Base(s), nil }),
		"dirname":      stringFunc(func(s string) (string, error) { return path.Dir(s), nil }),
		"abspath":      stringFunc(func(s string) (string, error) { return r.absPath(s), nil }),
		"urlencode":    stringFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"md5":          hashFunc(md5.New, hex.EncodeToString),
		"sha1":         hashFunc(sha1.New, hex.EncodeToString),
		"sha256":       hashFunc(sha256.New, hex.EncodeToString),
		"sha512":       hashFunc(sha512.New, hex.EncodeToString),
		"base64sha256": hashFunc(sha256.New, base64.StdEncoding.EncodeToString),
		"base64sha512": hashFunc(sha512.New, base64.StdEncoding.EncodeToString),
		"startswith":   stringTestFunc(strings.HasPrefix),
		"endswith":     stringTestFunc(strings.HasSuffix),
		"strcontains":  stringTestFunc(strings.Contains),
		"coalesce":     tfCoalesceFunc,
		"replace":      tfReplaceFunc,
		"one":          tfOneFunc,
		"alltrue":      boolListFunc(true),
		"anytrue":      boolListFunc(false),
		"sum":          tfSumFunc,
		"transpose":    tfTransposeFunc,
		"matchkeys":    tfMatchKeysFunc,
		"nonsensitive": identityFunc,
		"sensitive":    identityFunc,
		"try":          tfTryFunc,
		"can":          tfCanFunc,
		"yamldecode":   tfYAMLDecodeFunc,
		"yamlencode":   tfYAMLEncodeFunc,
	}
	for _, n := range tfUnknownFunctions {
		fns[n] = unknownResultFunc(n)
	}
	fns["jsonencode"] = r.jsonEncodeFunc()
	fns["file"] = r.fileFunc(func(b []byte) cty.Value { return cty.StringVal(string(b)) })
	fns["filebase64"] = r.fileFunc(func(b []byte) cty.Value { return cty.StringVal(base64.StdEncoding.EncodeToString(b)) })
	for name, h := range map[string]func() hash.Hash{"filemd5": md5.New, "filesha1": sha1.New, "filesha256": sha256.New, "filesha512": sha512.New} {
		fns[name] = r.fileFunc(func(b []byte) cty.Value { return cty.StringVal(hex.EncodeToString(hashOf(h, b))) })
	}
	fns["filebase64sha256"] = r.fileFunc(func(b []byte) cty.Value {
		return cty.StringVal(base64.StdEncoding.EncodeToString(hashOf(sha256.New, b)))
	})
	fns["filebase64sha512"] = r.fileFunc(func(b []byte) cty.Value {
		return cty.StringVal(base64.StdEncoding.EncodeToString(hashOf(sha512.New, b)))
	})
	fns["fileexists"] = r.fileExistsFunc()
	fns["templatefile"] = r.templateFunc(fns, true)
	fns["templatestring"] = r.templateFunc(fns, false)
	return fns
}

// tfFunctionsFor adds to fns a function of unknown result for every provider function an
// expression calls (provider::aws::arn_parse(…)): podecs has no provider to run them.
func tfFunctionsFor(expr hcl.Expression, fns map[string]function.Function) map[string]function.Function {
	e, ok := hcl.UnwrapExpression(expr).(hclsyntax.Expression)
	if !ok {
		return fns
	}
	var extra []string
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && strings.HasPrefix(call.Name, "provider::") {
			if _, known := fns[call.Name]; !known {
				extra = append(extra, call.Name)
			}
		}
		return nil
	})
	if len(extra) == 0 {
		return fns
	}
	out := maps.Clone(fns)
	for _, n := range extra {
		out[n] = unknownResultFunc(n)
	}
	return out
}

func stringFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	})
}

func stringTestFunc(f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "sub", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

func hashOf(h func() hash.Hash, b []byte) []byte {
	x := h()
	x.Write(b)
	return x.Sum(nil)
}

func hashFunc(h func() hash.Hash, enc func([]byte) string) function.Function {
	return stringFunc(func(s string) (string, error) { return enc(hashOf(h, []byte(s))), nil })
}

// identityFunc is sensitive() and nonsensitive(): podecs has no sensitive values to mark (a
// secret reaches a container through ECS secrets, never as a value), so both give their argument.
var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowMarked: true, AllowDynamicType: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

// unknownResultFunc is a function whose result is known only at apply, or not to podecs.
func unknownResultFunc(name string) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowMarked: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return cty.DynamicVal.Mark(tfOrigin{text: name + "(…)", what: "the result of " + name + "(), known only when Terraform applies the module"}), nil
		},
	})
}

// tfLengthFunc is Terraform's length: of a list, set, tuple, map or object, or of a string in
// characters. An object's or a tuple's length is known from its type.
var tfLengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, marks := args[0].Unmark()
		ty := v.Type()
		switch {
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(len(ty.TupleElementTypes()))), nil
		case ty == cty.DynamicPseudoType || !v.IsKnown():
			return cty.UnknownVal(cty.Number).WithMarks(marks), nil
		case v.IsNull():
			return cty.NilVal, errors.New("argument must not be null")
		case ty == cty.String:
			return stdlib.Strlen(v)
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
			return v.Length().WithMarks(marks), nil
		}
		return cty.NilVal, errors.New("argument must be a string, a collection type, or a structural type")
	},
})

// tfCoalesceFunc is Terraform's coalesce: the first argument that is neither null nor "".
var tfCoalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		ty, _ := ctyconvert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, errors.New("all arguments must have the same type")
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if a.IsNull() {
				continue
			}
			v, err := ctyconvert.Convert(a, retType)
			if err != nil {
				return cty.NilVal, err
			}
			if v.Type() == cty.String && v.AsString() == "" {
				continue
			}
			return v, nil
		}
		return cty.NilVal, errors.New("no non-null, non-empty-string arguments")
	},
})

// tfReplaceFunc is Terraform's replace: a substring, or a regular expression between slashes.
var tfReplaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if s := args[1].AsString(); len(s) > 1 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
			return stdlib.RegexReplace(args[0], cty.StringVal(s[1:len(s)-1]), args[2])
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})

// tfOneFunc is Terraform's one: the element of a list or set of at most one, null for none.
var tfOneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			if n := len(ty.TupleElementTypes()); n <= 1 {
				if n == 0 {
					return cty.DynamicPseudoType, nil
				}
				return ty.TupleElementTypes()[0], nil
			}
			return cty.NilType, errors.New("must be a list, set or tuple of at most one element")
		}
		return cty.NilType, errors.New("must be a list, set or tuple")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if v.IsNull() || v.LengthInt() == 0 {
			return cty.NullVal(retType), nil
		}
		if v.LengthInt() > 1 {
			return cty.NilVal, errors.New("must have no more than one element")
		}
		it := v.ElementIterator()
		it.Next()
		_, e := it.Element()
		return e, nil
	},
})

func boolListFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if e.IsNull() {
					continue
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var tfSumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].LengthInt() == 0 {
			return cty.NilVal, errors.New("cannot sum an empty list")
		}
		sum := new(big.Float)
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return cty.NilVal, errors.New("cannot sum null values")
			}
			sum.Add(sum, e.AsBigFloat())
		}
		return cty.NumberVal(sum), nil
	},
})

var tfTransposeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:   function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		out := map[string][]cty.Value{}
		for it := args[0].ElementIterator(); it.Next(); {
			k, l := it.Element()
			for lt := l.ElementIterator(); lt.Next(); {
				_, v := lt.Element()
				out[v.AsString()] = append(out[v.AsString()], k)
			}
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		m := map[string]cty.Value{}
		for k, l := range out {
			m[k] = cty.ListVal(l)
		}
		return cty.MapVal(m), nil
	},
})

var tfMatchKeysFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "values", Type: cty.List(cty.DynamicPseudoType)}, {Name: "keys", Type: cty.List(cty.DynamicPseudoType)}, {Name: "searchset", Type: cty.List(cty.DynamicPseudoType)}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if args[0].LengthInt() != args[1].LengthInt() {
			return cty.NilVal, errors.New("values and keys must have the same length")
		}
		var out []cty.Value
		i := 0
		for it := args[1].ElementIterator(); it.Next(); i++ {
			_, k := it.Element()
			for st := args[2].ElementIterator(); st.Next(); {
				_, s := st.Element()
				if eq := k.Equals(s); eq.IsKnown() && eq.True() {
					out = append(out, args[0].Index(cty.NumberIntVal(int64(i))))
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

// tfTryFunc is Terraform's try: the first argument that evaluates without an error. A value
// known only in part is given as it is (Terraform's plan shows the whole value as unknown), so
// that its known parts still convert.
var tfTryFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "expressions", Type: customdecode.ExpressionClosureType},
	Type: func(args []cty.Value) (cty.Type, error) {
		v, err := tryValue(args)
		if err != nil {
			return cty.NilType, err
		}
		return v.Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return tryValue(args) },
})

func tryValue(args []cty.Value) (cty.Value, error) {
	if len(args) == 0 {
		return cty.NilVal, errors.New("at least one argument is required")
	}
	var msgs []string
	for _, a := range args {
		v, diags := customdecode.ExpressionClosureFromVal(a).Value()
		if !diags.HasErrors() {
			return v, nil
		}
		for _, d := range diags {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	return cty.NilVal, fmt.Errorf("no expression succeeded: %s", strings.Join(msgs, "; "))
}

// tfCanFunc is Terraform's can: whether its argument evaluates without an error, unknown while
// the argument is.
var tfCanFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "expression", Type: customdecode.ExpressionClosureType}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, diags := customdecode.ExpressionClosureFromVal(args[0]).Value()
		if diags.HasErrors() {
			return cty.False, nil
		}
		if !v.IsWhollyKnown() {
			_, marks := v.UnmarkDeep()
			return cty.UnknownVal(cty.Bool).WithMarks(marks), nil
		}
		return cty.True, nil
	},
})

var tfYAMLDecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "src", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if !args[0].IsKnown() {
			return cty.DynamicPseudoType, nil
		}
		js, err := yaml.YAMLToJSON([]byte(args[0].AsString()))
		if err != nil {
			return cty.NilType, err
		}
		return ctyjson.ImpliedType(js)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		js, err := yaml.YAMLToJSON([]byte(args[0].AsString()))
		if err != nil {
			return cty.NilVal, err
		}
		return ctyjson.Unmarshal(js, retType)
	},
})

var tfYAMLEncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		js, err := ctyjson.Marshal(args[0], args[0].Type())
		if err != nil {
			return cty.NilVal, err
		}
		y, err := yaml.JSONToYAML(js)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(string(y)), nil
	},
})

// jsonEncodeFunc is jsonencode; the parts of its argument known only at apply become
// placeholders in the document it gives.
func (r *tfRun) jsonEncodeFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "val", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowMarked: true, AllowDynamicType: true}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v := args[0]
			if !v.IsKnown() {
				return cty.UnknownVal(cty.String).WithMarks(v.Marks()), nil
			}
			v = r.fillUnknowns(v, "")
			plain, _ := v.UnmarkDeep()
			js, err := ctyjson.Marshal(plain, plain.Type())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(js)), nil
		},
	})
}

// absPath is abspath: relative to the directory Terraform runs in.
func (r *tfRun) absPath(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(r.cwd(), p)
}

// filePath is a path given to file() or templatefile(): relative ones are relative to the
// directory Terraform runs in, the root module's.
func (r *tfRun) filePath(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(r.root, p)
}

func (r *tfRun) fileFunc(result func([]byte) cty.Value) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			data, err := fs.ReadFile(r.so.Files, r.filePath(args[0].AsString()))
			if err != nil {
				return cty.NilVal, err
			}
			return result(data), nil
		},
	})
}

func (r *tfRun) fileExistsFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, err := fs.Stat(r.so.Files, r.filePath(args[0].AsString()))
			return cty.BoolVal(err == nil), nil
		},
	})
}

// templateFunc is templatefile (file true) or templatestring: an HCL template rendered with the
// variables given, as Terraform does; variables known only at apply become placeholders in the
// text.
func (r *tfRun) templateFunc(fns map[string]function.Function, file bool) function.Function {
	first := "path"
	if !file {
		first = "template"
	}
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: first, Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowMarked: true, AllowDynamicType: true, AllowNull: true}},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name, src := "<templatestring>", []byte(args[0].AsString())
			if file {
				name = r.filePath(args[0].AsString())
				data, err := fs.ReadFile(r.so.Files, name)
				if err != nil {
					return cty.NilVal, err
				}
				src = data
			}
			vars := args[1]
			if !vars.IsKnown() {
				return cty.UnknownVal(cty.String).WithMarks(vars.Marks()), nil
			}
			expr, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			vars, _ = r.fillUnknowns(vars, "").UnmarkDeep()
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: fns}
			if !vars.IsNull() && vars.CanIterateElements() {
				for it := vars.ElementIterator(); it.Next(); {
					k, e := it.Element()
					ctx.Variables[k.AsString()] = e
				}
			}
			v, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			return ctyconvert.Convert(v, cty.String)
		},
	})
}
