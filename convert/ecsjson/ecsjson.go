// Package ecsjson reads and writes the aws-sdk-go-v2 ECS types as the JSON
// documents of the ECS API: the camelCase member names of the service model,
// as `aws ecs register-task-definition --cli-input-json` takes them and
// `aws ecs describe-task-definition` prints them.
//
// The SDK structs carry no JSON tags, so the codec works by reflection and
// caches what it learns per type. Output is deterministic: members in the
// order the SDK declares them, map keys sorted, two-space indentation and a
// trailing newline. Decoding is strict: unknown members, wrong JSON types,
// enum values the SDK does not know and integers that do not fit are errors
// that name the JSON path of the offending member.
package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/document"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// FieldError is a decode or encode error at one member of the document.
// Path is the JSON path of the member (e.g.
// containerDefinitions[0].portMappings[0].containerPort), empty for the
// document as a whole.
type FieldError struct {
	Path string
	Msg  string
}

// Error returns "Path: Msg", or Msg alone for the document root.
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Options tunes decoding.
type Options struct {
	// AllowUnknown skips members the SDK type does not have instead of
	// failing; UnmarshalWith returns their paths.
	AllowUnknown bool
	// FoldCase matches member names without regard to case when no member has
	// the name exactly, as Go's encoding/json does: the tools that decode with
	// it (the Terraform AWS provider's container_definitions, ecspresso) take
	// "entrypoint" or "ContainerDefinitions" for entryPoint and
	// containerDefinitions.
	FoldCase bool
}

// memberNameExceptions maps Go field names whose model member name is not the
// field name with a lower-cased first letter. The model tests check every
// field of the types podecs uses; at ecs v1.105.1 there is no exception.
var memberNameExceptions = map[string]string{}

// MemberName returns the service-model member name of an SDK struct field:
// the Go field name with its first letter lower-cased.
func MemberName(goFieldName string) string {
	if n, ok := memberNameExceptions[goFieldName]; ok {
		return n
	}
	if goFieldName == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(goFieldName)
	if r >= 'A' && r <= 'Z' {
		return string(r+('a'-'A')) + goFieldName[size:]
	}
	return goFieldName
}

// alwaysWritten lists the value-type (non-pointer) scalar fields the SDK's
// serializer writes even when they hold the zero value (mostly required
// members such as Ulimit.softLimit, where 0 is meaningful). Every other
// value-type scalar is written only when non-zero, as the SDK does.
var alwaysWritten = map[reflect.Type][]string{
	reflect.TypeFor[types.DeploymentAlarms]():                    {"Enable", "Rollback"},
	reflect.TypeFor[types.DeploymentCircuitBreaker]():            {"Enable", "Rollback"},
	reflect.TypeFor[types.DeploymentEarlySuccessCriteria]():      {"Enable"},
	reflect.TypeFor[types.EphemeralStorage]():                    {"SizeInGiB"},
	reflect.TypeFor[ecs.ExecuteCommandInput]():                   {"Interactive"},
	reflect.TypeFor[types.ManagedApplicationAutoScalingPolicy](): {"TargetValue"},
	reflect.TypeFor[types.ManagedScalableTarget]():               {"MaxCapacity", "MinCapacity"},
	reflect.TypeFor[types.ManagedTargetGroup]():                  {"HealthCheckPort", "Port"},
	reflect.TypeFor[types.ServiceConnectConfiguration]():         {"Enabled"},
	reflect.TypeFor[types.ThresholdConfiguration]():              {"Value"},
	reflect.TypeFor[types.Tmpfs]():                               {"Size"},
	reflect.TypeFor[types.Ulimit]():                              {"HardLimit", "SoftLimit"},
	reflect.TypeFor[ecs.UpdateTaskProtectionInput]():             {"ProtectionEnabled"},
}

// unionInfo describes a smithy union: an interface type whose implementations
// are *<Union>Member<Name> structs holding the member in a Value field.
type unionInfo struct {
	iface   reflect.Type
	members []unionMember
}

type unionMember struct {
	name string       // model member name, e.g. nvidiaMps
	typ  reflect.Type // pointer type, e.g. *types.SharingStrategyMemberNvidiaMps
}

func unionOf[I any](members ...I) *unionInfo {
	u := &unionInfo{iface: reflect.TypeFor[I]()}
	for _, m := range members {
		mt := reflect.TypeOf(m)
		name := strings.TrimPrefix(mt.Elem().Name(), u.iface.Name()+"Member")
		u.members = append(u.members, unionMember{name: MemberName(name), typ: mt})
	}
	return u
}

// unions lists every union of the ECS types package; reflection cannot find
// the implementations of an interface, so decoding needs this table.
var unions = func() map[reflect.Type]*unionInfo {
	list := []*unionInfo{
		unionOf[types.DescribeGatewayConfiguration](&types.DescribeGatewayConfigurationMemberHostSharedAlb{}),
		unionOf[types.GatewayConfiguration](&types.GatewayConfigurationMemberHostSharedAlb{}),
		unionOf[types.GatewayConnectionResources](&types.GatewayConnectionResourcesMemberHostSharedAlb{}),
		unionOf[types.GatewayElbAccessLogDestination](&types.GatewayElbAccessLogDestinationMemberS3{}),
		unionOf[types.GatewayInfrastructureResources](&types.GatewayInfrastructureResourcesMemberHostSharedAlb{}),
		unionOf[types.GatewayRouteResources](&types.GatewayRouteResourcesMemberHostSharedAlb{}),
		unionOf[types.ServiceConnectContainerConfiguration](&types.ServiceConnectContainerConfigurationMemberLogLevel{}),
		unionOf[types.SharingStrategy](&types.SharingStrategyMemberNvidiaMps{}),
		unionOf[types.UpdateGatewayConfiguration](&types.UpdateGatewayConfigurationMemberHostSharedAlb{}),
	}
	m := make(map[reflect.Type]*unionInfo, len(list))
	for _, u := range list {
		m[u.iface] = u
	}
	return m
}()

var (
	timeType          = reflect.TypeFor[time.Time]()
	documentType      = reflect.TypeFor[document.Interface]()
	unknownMemberType = reflect.TypeFor[*types.UnknownUnionMember]()
)

// smithyMiddlewarePkg holds middleware.Metadata, the ResultMetadata of
// operation outputs, which is no part of the API document.
const smithyMiddlewarePkg = "github.com/aws/smithy-go/middleware"

type field struct {
	goName string
	name   string
	key    []byte // `"name": `
	index  int
	typ    reflect.Type
	always bool
}

type structInfo struct {
	fields []field
	byName map[string]int // member name -> position in fields
	byFold map[string]int // lower-cased member name -> position in fields
}

var structCache sync.Map // reflect.Type -> *structInfo

func structInfoFor(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]int{}, byFold: map[string]int{}}
	always := alwaysWritten[t]
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Type.PkgPath() == smithyMiddlewarePkg {
			continue
		}
		name := MemberName(sf.Name)
		key, _ := json.Marshal(name)
		si.byName[name] = len(si.fields)
		si.byFold[strings.ToLower(name)] = len(si.fields)
		si.fields = append(si.fields, field{
			goName: sf.Name,
			name:   name,
			key:    append(key, ": "...),
			index:  i,
			typ:    sf.Type,
			always: slices.Contains(always, sf.Name),
		})
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}

type enumInfo struct {
	typeName string
	values   []string
}

func (e *enumInfo) valid(s string) bool { return slices.Contains(e.values, s) }

var enumCache sync.Map // reflect.Type -> *enumInfo (nil for plain strings)

// enumFor returns the allowed values of an SDK enum type (a string type with a
// Values method), or nil for a plain string type.
func enumFor(t reflect.Type) *enumInfo {
	if e, ok := enumCache.Load(t); ok {
		return e.(*enumInfo)
	}
	var e *enumInfo
	if m, ok := t.MethodByName("Values"); ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 &&
		m.Type.Out(0).Kind() == reflect.Slice && m.Type.Out(0).Elem() == t {
		vals := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
		e = &enumInfo{typeName: t.Name(), values: make([]string, vals.Len())}
		for i := range vals.Len() {
			e.values[i] = vals.Index(i).String()
		}
	}
	actual, _ := enumCache.LoadOrStore(t, e)
	return actual.(*enumInfo)
}

// pathElem is one step of a JSON path: a member name, a list index or a map key.
type pathElem struct {
	name  string
	index int // >= 0 for list indexes
	isKey bool
}

func formatPath(p []pathElem) string {
	var b strings.Builder
	for _, e := range p {
		switch {
		case e.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		case e.isKey:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(e.name))
			b.WriteByte(']')
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.name)
		}
	}
	return b.String()
}

// ---------------------------------------------------------------- encoding

// Marshal writes v, an SDK struct or a pointer to one (or a slice or map of
// them), as indented JSON ending in a newline. Nil pointers, nil slices and
// nil maps are omitted; empty non-nil slices and maps are written (`[]`
// clears a list in UpdateService). Value-type scalars are omitted when zero,
// except the members the SDK always sends.
func Marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, &FieldError{Msg: "cannot encode nil"}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, &FieldError{Msg: fmt.Sprintf("cannot encode nil %s", rv.Type())}
	}
	e := encoderPool.Get().(*encoder)
	defer func() {
		e.buf, e.path = e.buf[:0], e.path[:0]
		encoderPool.Put(e)
	}()
	if err := e.encode(rv, 0); err != nil {
		return nil, err
	}
	e.buf = append(e.buf, '\n')
	return bytes.Clone(e.buf), nil
}

var encoderPool = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 4096)} }}

type encoder struct {
	buf  []byte
	path []pathElem
}

func (e *encoder) errf(format string, args ...any) error {
	return &FieldError{Path: formatPath(e.path), Msg: fmt.Sprintf(format, args...)}
}

const spaces = "                                                                "

func (e *encoder) newline(depth int) {
	e.buf = append(e.buf, '\n')
	for n := 2 * depth; n > 0; {
		k := min(n, len(spaces))
		e.buf = append(e.buf, spaces[:k]...)
		n -= k
	}
}

func (e *encoder) encode(v reflect.Value, depth int) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.encode(v.Elem(), depth)
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return e.encodeFloat(v.Float())
	case reflect.Struct:
		if v.Type() == timeType {
			return e.encodeTime(v.Interface().(time.Time))
		}
		return e.encodeStruct(v, depth)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return e.errf("binary members are not supported")
		}
		return e.encodeSlice(v, depth)
	case reflect.Map:
		return e.encodeMap(v, depth)
	case reflect.Interface:
		return e.encodeInterface(v, depth)
	default:
		return e.errf("unsupported Go type %s", v.Type())
	}
	return nil
}

func (e *encoder) encodeFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return e.errf("number %v cannot be written as JSON", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, 64)
	return nil
}

func (e *encoder) encodeTime(t time.Time) error {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return e.errf("timestamp year %d outside 0000-9999", y)
	}
	e.buf = append(e.buf, '"')
	e.buf = t.AppendFormat(e.buf, time.RFC3339Nano)
	e.buf = append(e.buf, '"')
	return nil
}

// omitted reports whether a struct field holding v is left out.
func omitted(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	}
	return false
}

func (e *encoder) encodeStruct(v reflect.Value, depth int) error {
	si := structInfoFor(v.Type())
	n := 0
	for i := range si.fields {
		f := &si.fields[i]
		fv := v.Field(f.index)
		if !f.always && omitted(fv) {
			continue
		}
		if n == 0 {
			e.buf = append(e.buf, '{')
		} else {
			e.buf = append(e.buf, ',')
		}
		n++
		e.newline(depth + 1)
		e.buf = append(e.buf, f.key...)
		e.path = append(e.path, pathElem{name: f.name, index: -1})
		if err := e.encode(fv, depth+1); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.closeObject(n, depth)
	return nil
}

func (e *encoder) closeObject(n, depth int) {
	if n == 0 {
		e.buf = append(e.buf, "{}"...)
		return
	}
	e.newline(depth)
	e.buf = append(e.buf, '}')
}

func (e *encoder) encodeSlice(v reflect.Value, depth int) error {
	if v.Len() == 0 {
		e.buf = append(e.buf, "[]"...)
		return nil
	}
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth + 1)
		e.path = append(e.path, pathElem{index: i})
		if err := e.encode(v.Index(i), depth+1); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.newline(depth)
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) encodeMap(v reflect.Value, depth int) error {
	if v.Type().Key().Kind() != reflect.String {
		return e.errf("unsupported Go type %s", v.Type())
	}
	keys := make([]reflect.Value, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		keys = append(keys, it.Key())
	}
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	for i, k := range keys {
		if i == 0 {
			e.buf = append(e.buf, '{')
		} else {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth + 1)
		e.buf = appendString(e.buf, k.String())
		e.buf = append(e.buf, ": "...)
		e.path = append(e.path, pathElem{name: k.String(), index: -1, isKey: true})
		if err := e.encode(v.MapIndex(k), depth+1); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.closeObject(len(keys), depth)
	return nil
}

type documentMarshaler interface {
	MarshalSmithyDocument() ([]byte, error)
}

func (e *encoder) encodeInterface(v reflect.Value, depth int) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if v.Type() == documentType {
		dm, ok := v.Interface().(documentMarshaler)
		if !ok {
			return e.errf("document of type %T cannot be encoded", v.Interface())
		}
		raw, err := dm.MarshalSmithyDocument()
		if err != nil {
			return e.errf("document: %v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return e.errf("document: %v", err)
		}
		return e.encodeAny(doc, depth)
	}
	u, ok := unions[v.Type()]
	if !ok {
		return e.errf("unsupported Go type %s", v.Type())
	}
	mv := v.Elem()
	if mv.Kind() == reflect.Pointer && mv.IsNil() {
		return e.errf("nil %s union member", u.iface.Name())
	}
	if mv.Type() == unknownMemberType {
		return e.errf("unknown %s union member %q cannot be encoded", u.iface.Name(), mv.Elem().FieldByName("Tag").String())
	}
	for _, m := range u.members {
		if m.typ != mv.Type() {
			continue
		}
		e.buf = append(e.buf, '{')
		e.newline(depth + 1)
		e.buf = appendString(e.buf, m.name)
		e.buf = append(e.buf, ": "...)
		e.path = append(e.path, pathElem{name: m.name, index: -1})
		val := mv.Elem().FieldByName("Value")
		if val.Kind() == reflect.Slice && val.IsNil() {
			e.buf = append(e.buf, "[]"...)
		} else if err := e.encode(val, depth+1); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
		e.newline(depth)
		e.buf = append(e.buf, '}')
		return nil
	}
	return e.errf("unsupported %s union member %s", u.iface.Name(), mv.Type())
}

// encodeAny writes a document value as decoded by encoding/json with UseNumber.
func (e *encoder) encodeAny(x any, depth int) error {
	switch x := x.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case string:
		e.buf = appendString(e.buf, x)
	case json.Number:
		e.buf = append(e.buf, x...)
	case []any:
		if len(x) == 0 {
			e.buf = append(e.buf, "[]"...)
			return nil
		}
		e.buf = append(e.buf, '[')
		for i, el := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			if err := e.encodeAny(el, depth+1); err != nil {
				return err
			}
		}
		e.newline(depth)
		e.buf = append(e.buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i == 0 {
				e.buf = append(e.buf, '{')
			} else {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ": "...)
			if err := e.encodeAny(x[k], depth+1); err != nil {
				return err
			}
		}
		e.closeObject(len(keys), depth)
	default:
		return e.errf("document value of type %T cannot be encoded", x)
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, so shell commands in health checks stay readable.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// ---------------------------------------------------------------- decoding

// Unmarshal decodes the JSON document data into v, a non-nil pointer to an
// SDK struct (or to a slice or map of them), strictly: see UnmarshalWith.
func Unmarshal(data []byte, v any) error {
	_, err := UnmarshalWith(data, v, Options{})
	return err
}

// UnmarshalWith decodes the JSON document data into v, a non-nil pointer,
// after resetting *v to its zero value. Unknown members are errors unless
// o.AllowUnknown is set; then they are skipped and their paths returned.
// Other errors are *FieldError values naming the offending member: a wrong
// JSON type, an enum value the SDK does not list, an integer out of range, a
// fraction where an integer is wanted. null leaves pointers, lists, maps,
// unions and documents nil. Timestamps are RFC 3339 strings or epoch seconds
// and are stored in UTC.
func UnmarshalWith(data []byte, v any, o Options) (unknown []string, err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("ecsjson: decode target must be a non-nil pointer, got %T", v)
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(data)), opts: o}
	d.dec.UseNumber()
	target := rv.Elem()
	target.SetZero()
	if err := d.decode(target); err != nil {
		return d.unknown, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return d.unknown, d.syntaxErr(err)
		}
		return d.unknown, &FieldError{Msg: "unexpected data after the top-level value"}
	}
	return d.unknown, nil
}

type decoder struct {
	dec     *json.Decoder
	opts    Options
	path    []pathElem
	unknown []string
}

func (d *decoder) errf(format string, args ...any) error {
	return &FieldError{Path: formatPath(d.path), Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) syntaxErr(err error) error {
	if errors.Is(err, io.EOF) {
		return d.errf("unexpected end of JSON input")
	}
	return d.errf("invalid JSON: %v", err)
}

func (d *decoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxErr(err)
	}
	return tok, nil
}

func (d *decoder) decode(v reflect.Value) error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	return d.decodeToken(tok, v)
}

// describe names a JSON token for error messages.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case string:
		if len(t) > 60 {
			t = t[:57] + "..."
		}
		return "string " + strconv.Quote(t)
	case json.Number:
		return "number " + t.String()
	case bool:
		return "boolean " + strconv.FormatBool(t)
	case json.Delim:
		if t == '{' {
			return "object"
		}
		return "array"
	}
	return fmt.Sprintf("%v", tok)
}

// want names the JSON type a Go type takes.
func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return want(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array"
	case reflect.Struct:
		if t == timeType {
			return "timestamp (RFC 3339 string or epoch seconds)"
		}
	}
	return "object"
}

func (d *decoder) typeErr(t reflect.Type, tok json.Token) error {
	return d.errf("want %s, got %s", want(t), describe(tok))
}

func (d *decoder) decodeToken(tok json.Token, v reflect.Value) error {
	t := v.Type()
	if tok == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
			return nil
		}
		return d.typeErr(t, tok)
	}
	switch t.Kind() {
	case reflect.Pointer:
		pv := reflect.New(t.Elem())
		if err := d.decodeToken(tok, pv.Elem()); err != nil {
			return err
		}
		v.Set(pv)
	case reflect.String:
		return d.decodeString(tok, v)
	case reflect.Bool:
		b, ok := tok.(bool)
		if !ok {
			return d.typeErr(t, tok)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return d.decodeInt(tok, v)
	case reflect.Float32, reflect.Float64:
		return d.decodeFloat(tok, v)
	case reflect.Struct:
		if t == timeType {
			return d.decodeTime(tok, v)
		}
		if tok != json.Delim('{') {
			return d.typeErr(t, tok)
		}
		return d.decodeStruct(v)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return d.typeErr(t, tok)
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return d.errf("binary members are not supported")
		}
		return d.decodeSlice(v)
	case reflect.Map:
		if tok != json.Delim('{') {
			return d.typeErr(t, tok)
		}
		if t.Key().Kind() != reflect.String {
			return d.errf("unsupported Go type %s", t)
		}
		return d.decodeMap(v)
	case reflect.Interface:
		if t == documentType {
			doc, err := d.decodeAny(tok)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(document.NewLazyDocument(doc)))
			return nil
		}
		return d.decodeUnion(tok, v)
	default:
		return d.errf("unsupported Go type %s", t)
	}
	return nil
}

func (d *decoder) decodeString(tok json.Token, v reflect.Value) error {
	s, ok := tok.(string)
	if !ok {
		return d.typeErr(v.Type(), tok)
	}
	if e := enumFor(v.Type()); e != nil && !e.valid(s) {
		return d.errf("%s is not a valid %s; want one of: %s", strconv.Quote(s), e.typeName, strings.Join(e.values, ", "))
	}
	v.SetString(s)
	return nil
}

func (d *decoder) decodeInt(tok json.Token, v reflect.Value) error {
	n, ok := tok.(json.Number)
	if !ok {
		return d.typeErr(v.Type(), tok)
	}
	s := n.String()
	if strings.ContainsAny(s, ".eE") {
		return d.errf("want integer, got number %s", s)
	}
	bits := v.Type().Bits()
	i, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		return d.errf("integer %s out of range for %s [%d, %d]", s, v.Kind(), lo, hi)
	}
	v.SetInt(i)
	return nil
}

func (d *decoder) decodeFloat(tok json.Token, v reflect.Value) error {
	n, ok := tok.(json.Number)
	if !ok {
		return d.typeErr(v.Type(), tok)
	}
	f, err := strconv.ParseFloat(n.String(), v.Type().Bits())
	if err != nil {
		return d.errf("number %s out of range", n)
	}
	v.SetFloat(f)
	return nil
}

// Timestamps written with 4-digit years: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const (
	minUnix = -62167219200
	maxUnix = 253402300799
)

func (d *decoder) decodeTime(tok json.Token, v reflect.Value) error {
	var t time.Time
	switch x := tok.(type) {
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return d.errf("want RFC 3339 timestamp, got %s", describe(tok))
		}
		t = p.UTC()
		if y := t.Year(); y < 0 || y > 9999 {
			return d.errf("timestamp %s outside years 0000-9999", x)
		}
	case json.Number:
		sec, nsec, ok := epochSeconds(x.String())
		if !ok || sec < minUnix || sec > maxUnix {
			return d.errf("epoch seconds %s out of range", x)
		}
		t = time.Unix(sec, nsec).UTC()
	default:
		return d.typeErr(v.Type(), tok)
	}
	v.Set(reflect.ValueOf(t))
	return nil
}

// epochSeconds splits a JSON number of seconds (the awscli prints
// 1672920000.123) exactly into whole seconds and nanoseconds, truncating
// below a nanosecond.
func epochSeconds(s string) (sec, nsec int64, ok bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Bound the exponent before big.Rat expands it.
		if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp < -40 || exp > 40 {
			return 0, 0, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, 0, false
	}
	n := new(big.Int).Mul(r.Num(), big.NewInt(1e9))
	n.Div(n, r.Denom()) // floor: the denominator is positive
	secs, nanos := n.DivMod(n, big.NewInt(1e9), new(big.Int))
	if !secs.IsInt64() {
		return 0, 0, false
	}
	return secs.Int64(), nanos.Int64(), true
}

func (d *decoder) push(e pathElem) { d.path = append(d.path, e) }
func (d *decoder) pop()            { d.path = d.path[:len(d.path)-1] }

func (d *decoder) decodeStruct(v reflect.Value) error {
	si := structInfoFor(v.Type())
	var seenSmall [2]uint64
	seen := seenSmall[:]
	if n := (len(si.fields) + 63) / 64; n > len(seen) {
		seen = make([]uint64, n)
	}
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		d.push(pathElem{name: key, index: -1})
		i, ok := si.byName[key]
		if !ok && d.opts.FoldCase {
			i, ok = si.byFold[strings.ToLower(key)]
		}
		switch {
		case !ok:
			if err := d.unknownMember(si); err != nil {
				return err
			}
		case seen[i/64]&(1<<(i%64)) != 0:
			return d.errf("duplicate field")
		default:
			seen[i/64] |= 1 << (i % 64)
			if err := d.decode(v.Field(si.fields[i].index)); err != nil {
				return err
			}
		}
		d.pop()
	}
	_, err := d.token() // '}'
	return err
}

// unknownMember reports or skips the member at the current path.
func (d *decoder) unknownMember(si *structInfo) error {
	if !d.opts.AllowUnknown {
		msg := "unknown field"
		if s := suggest(d.path[len(d.path)-1].name, si); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return d.errf("%s", msg)
	}
	d.unknown = append(d.unknown, formatPath(d.path))
	return d.skip()
}

// suggest returns the member name closest to an unknown one, if any is close.
func suggest(name string, si *structInfo) string {
	best, bestDist := "", 3
	for _, f := range si.fields {
		if strings.EqualFold(f.name, name) {
			return f.name
		}
		if dist := editDistance(strings.ToLower(name), strings.ToLower(f.name)); dist < bestDist {
			best, bestDist = f.name, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// skip consumes one JSON value.
func (d *decoder) skip() error {
	depth := 0
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (d *decoder) decodeSlice(v reflect.Value) error {
	t := v.Type()
	s := reflect.MakeSlice(t, 0, 0)
	for i := 0; d.dec.More(); i++ {
		s = reflect.Append(s, reflect.Zero(t.Elem()))
		d.push(pathElem{index: i})
		if err := d.decode(s.Index(i)); err != nil {
			return err
		}
		d.pop()
	}
	if _, err := d.token(); err != nil { // ']'
		return err
	}
	v.Set(s)
	return nil
}

func (d *decoder) decodeMap(v reflect.Value) error {
	t := v.Type()
	m := reflect.MakeMap(t)
	elem := reflect.New(t.Elem()).Elem()
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		d.push(pathElem{name: key, index: -1, isKey: true})
		kv := reflect.ValueOf(key).Convert(t.Key())
		if m.MapIndex(kv).IsValid() {
			return d.errf("duplicate key")
		}
		elem.SetZero()
		if err := d.decode(elem); err != nil {
			return err
		}
		m.SetMapIndex(kv, elem)
		d.pop()
	}
	if _, err := d.token(); err != nil { // '}'
		return err
	}
	v.Set(m)
	return nil
}

func (d *decoder) decodeUnion(tok json.Token, v reflect.Value) error {
	u, ok := unions[v.Type()]
	if !ok {
		return d.errf("unsupported Go type %s", v.Type())
	}
	if tok != json.Delim('{') {
		return d.typeErr(v.Type(), tok)
	}
	names := make([]string, len(u.members))
	for i, m := range u.members {
		names[i] = m.name
	}
	var set reflect.Value
	skipped := false
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		d.push(pathElem{name: key, index: -1})
		i := slices.Index(names, key)
		switch {
		case i < 0 && !d.opts.AllowUnknown:
			return d.errf("unknown %s member; want one of: %s", u.iface.Name(), strings.Join(names, ", "))
		case i < 0:
			skipped = true
			d.unknown = append(d.unknown, formatPath(d.path))
			if err := d.skip(); err != nil {
				return err
			}
		case set.IsValid():
			return d.errf("%s is a union and takes exactly one member", u.iface.Name())
		default:
			mv := reflect.New(u.members[i].typ.Elem())
			vtok, err := d.token()
			if err != nil {
				return err
			}
			if vtok == nil {
				return d.errf("union member must not be null")
			}
			if err := d.decodeToken(vtok, mv.Elem().FieldByName("Value")); err != nil {
				return err
			}
			set = mv
		}
		d.pop()
	}
	if _, err := d.token(); err != nil { // '}'
		return err
	}
	if !set.IsValid() {
		if skipped {
			v.SetZero()
			return nil
		}
		return d.errf("%s is a union and takes exactly one member, one of: %s", u.iface.Name(), strings.Join(names, ", "))
	}
	v.Set(set)
	return nil
}

// maxExactFloat is 2^53: integral floats below it are held as int64 in documents.
const maxExactFloat = 1 << 53

// decodeAny reads a free-form document value. Numbers become int64 when
// integral (so a document survives a round trip unchanged), float64 otherwise.
func (d *decoder) decodeAny(tok json.Token) (any, error) {
	switch x := tok.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		if i, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil {
			return nil, d.errf("number %s out of range", x)
		}
		if f == math.Trunc(f) && math.Abs(f) < maxExactFloat {
			return int64(f), nil
		}
		return f, nil
	case json.Delim:
		if x == '[' {
			list := []any{}
			for i := 0; d.dec.More(); i++ {
				d.push(pathElem{index: i})
				el, err := d.decodeNext()
				if err != nil {
					return nil, err
				}
				list = append(list, el)
				d.pop()
			}
			_, err := d.token()
			return list, err
		}
		obj := map[string]any{}
		for d.dec.More() {
			ktok, err := d.token()
			if err != nil {
				return nil, err
			}
			key, _ := ktok.(string)
			d.push(pathElem{name: key, index: -1, isKey: true})
			if key == "" {
				// The SDK's document encoder refuses empty keys.
				return nil, d.errf("empty key in a document")
			}
			if _, dup := obj[key]; dup {
				return nil, d.errf("duplicate key")
			}
			el, err := d.decodeNext()
			if err != nil {
				return nil, err
			}
			obj[key] = el
			d.pop()
		}
		_, err := d.token()
		return obj, err
	}
	return nil, d.errf("unexpected %s", describe(tok))
}

func (d *decoder) decodeNext() (any, error) {
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	return d.decodeAny(tok)
}
