package ecsjson

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/document"
	smithy "github.com/aws/smithy-go"
	smithydocument "github.com/aws/smithy-go/document"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/botocore"
)

// modelShape is the part of a botocore shape the tests read.
type modelShape struct {
	Type     string                    `json:"type"`
	Members  map[string]map[string]any `json:"members"`
	Union    bool                      `json:"union"`
	Document bool                      `json:"document"`
}

// loadModel reads the ECS service model shipped with botocore.
func loadModel(t *testing.T) map[string]modelShape {
	return botocore.Shapes[modelShape](t, "ecs")
}

// modelOperations are the calls podecs reads or writes documents for.
var modelOperations = []any{
	ecs.RegisterTaskDefinitionInput{}, ecs.RegisterTaskDefinitionOutput{},
	ecs.DescribeTaskDefinitionInput{}, ecs.DescribeTaskDefinitionOutput{},
	ecs.CreateServiceInput{}, ecs.CreateServiceOutput{},
	ecs.UpdateServiceInput{}, ecs.UpdateServiceOutput{},
	ecs.DescribeServicesInput{}, ecs.DescribeServicesOutput{},
	ecs.RunTaskInput{}, ecs.RunTaskOutput{},
	ecs.DeregisterTaskDefinitionInput{}, ecs.DeregisterTaskDefinitionOutput{},
	ecs.ListTaskDefinitionsInput{}, ecs.ListTaskDefinitionsOutput{},
	ecs.CreateClusterInput{}, ecs.CreateClusterOutput{},
	ecs.DescribeClustersInput{}, ecs.DescribeClustersOutput{},
}

// reachable walks the Go types reachable from roots: structs, unions (through
// the union table) and document fields, each reported once.
type reachable struct {
	structs   []reflect.Type
	unions    []*unionInfo
	documents []string // "Type.Field"
	unhandled []string // interface fields the codec does not know
	seen      map[reflect.Type]bool
}

func walkTypes(roots ...any) *reachable {
	r := &reachable{seen: map[reflect.Type]bool{}}
	for _, root := range roots {
		r.walk(reflect.TypeOf(root))
	}
	return r
}

func (r *reachable) walk(t reflect.Type) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if r.seen[t] {
		return
	}
	r.seen[t] = true
	switch {
	case t.Kind() == reflect.Interface:
		if u, ok := unions[t]; ok {
			r.unions = append(r.unions, u)
			for _, m := range u.members {
				f, _ := m.typ.Elem().FieldByName("Value")
				r.walk(f.Type)
			}
		}
	case t.Kind() == reflect.Struct && t != timeType:
		r.structs = append(r.structs, t)
		for _, f := range structInfoFor(t).fields {
			if f.typ == documentType {
				r.documents = append(r.documents, shapeName(t)+"."+f.goName)
				continue
			}
			if f.typ.Kind() == reflect.Interface {
				if _, ok := unions[f.typ]; !ok {
					r.unhandled = append(r.unhandled, t.Name()+"."+f.goName)
				}
			}
			r.walk(f.typ)
		}
	}
}

// shapeName maps a Go type to its model shape: operation inputs and outputs
// are <Op>Request and <Op>Response shapes, types keep their names.
func shapeName(t reflect.Type) string {
	if t.PkgPath() == reflect.TypeFor[ecs.RunTaskInput]().PkgPath() {
		if op, ok := strings.CutSuffix(t.Name(), "Input"); ok {
			return op + "Request"
		}
		if op, ok := strings.CutSuffix(t.Name(), "Output"); ok {
			return op + "Response"
		}
	}
	return t.Name()
}

func diffMembers(shape string, goNames []string, model modelShape) []string {
	var problems []string
	for _, n := range goNames {
		if _, ok := model.Members[n]; !ok {
			problems = append(problems, shape+"."+n+": Go field has no model member")
		}
	}
	for n := range model.Members {
		if !slices.Contains(goNames, n) {
			problems = append(problems, shape+"."+n+": model member has no Go field")
		}
	}
	return problems
}

// newerThanBotocore lists the members the SDK (github.com/aws/aws-sdk-go-v2/
// service/ecs v1.105.1) has but the botocore model on the build machines
// (1.43.11) does not yet: the SDK was generated from a newer model. Their
// names are still checked, against the SDK's own serializer, by
// TestMemberNamesMatchSDKSerializer.
var newerThanBotocore = []string{
	"Container.gpuSharingStrategy: Go field has no model member",
	"Container.neuronDeviceIds: Go field has no model member",
	"CreateServiceRequest.gatewayConnectors: Go field has no model member",
	"CreateServiceRequest.monitoring: Go field has no model member",
	"DeploymentCircuitBreaker.resetOnHealthyTask: Go field has no model member",
	"DeploymentCircuitBreaker.thresholdConfiguration: Go field has no model member",
	"DeploymentConfiguration.earlySuccessCriteria: Go field has no model member",
	"DeploymentEarlySuccessCriteria: no structure shape in the model",
	"GatewayConnector: no structure shape in the model",
	"GatewayConnectorFilters: no structure shape in the model",
	"GatewayConnectorHealthCheck: no structure shape in the model",
	"GatewayConnectorHealthCheckMatcher: no structure shape in the model",
	"MetricConfiguration: no structure shape in the model",
	"MonitoringConfiguration: no structure shape in the model",
	"NvidiaMpsAllocation: no structure shape in the model",
	"RegisterTaskDefinitionRequest.trustedExecutionConfiguration: Go field has no model member",
	"ResourceRequirement.sharingStrategy: Go field has no model member",
	"ServiceConnectConfiguration.containerConfigurations: Go field has no model member",
	"ServiceConnectContainerConfiguration: no union shape in the model",
	"SharingStrategy: no union shape in the model",
	"Task.trustedExecutionSummary: Go field has no model member",
	"TaskDefinition.trustedExecutionConfiguration: Go field has no model member",
	"ThresholdConfiguration: no structure shape in the model",
	"TrustedExecutionConfiguration: no structure shape in the model",
	"TrustedExecutionSummary: no structure shape in the model",
	"UpdateServiceRequest.gatewayConnectors: Go field has no model member",
	"UpdateServiceRequest.monitoring: Go field has no model member",
	"VpcLatticeAdvancedConfiguration: no structure shape in the model",
	"VpcLatticeConfiguration.advancedConfiguration: Go field has no model member",
}

func TestModelMembers(t *testing.T) {
	shapes := loadModel(t)
	r := walkTypes(modelOperations...)
	require.Greater(t, len(r.structs), 50, "walk found too few types")

	var problems []string
	for _, st := range r.structs {
		name := shapeName(st)
		shape, ok := shapes[name]
		if !ok || shape.Type != "structure" {
			problems = append(problems, name+": no structure shape in the model")
			continue
		}
		var goNames []string
		for _, f := range structInfoFor(st).fields {
			goNames = append(goNames, f.name)
		}
		problems = append(problems, diffMembers(name, goNames, shape)...)
	}
	for _, u := range r.unions {
		name := u.iface.Name()
		shape, ok := shapes[name]
		if !ok || !shape.Union {
			problems = append(problems, name+": no union shape in the model")
			continue
		}
		var goNames []string
		for _, m := range u.members {
			goNames = append(goNames, m.name)
		}
		problems = append(problems, diffMembers(name, goNames, shape)...)
	}
	for _, d := range r.documents {
		typeName, member, _ := strings.Cut(d, ".")
		target, _ := shapes[typeName].Members[MemberName(member)]["shape"].(string)
		if !shapes[target].Document {
			problems = append(problems, d+": Go document field is no document in the model")
		}
	}
	for _, u := range r.unhandled {
		problems = append(problems, u+": interface field is neither a known union nor a document")
	}
	sort.Strings(problems)
	var unexpected []string
	for _, p := range problems {
		if !slices.Contains(newerThanBotocore, p) {
			unexpected = append(unexpected, p)
		}
	}
	if len(unexpected) > 0 {
		t.Errorf("%d mismatches between the Go types and the botocore model:\n%s", len(unexpected), strings.Join(unexpected, "\n"))
	}
	for _, known := range newerThanBotocore {
		if !slices.Contains(problems, known) {
			t.Logf("botocore model caught up, drop from newerThanBotocore: %s", known)
		}
	}
}

// recorder is a smithy.ShapeSerializer that notes the member names the SDK's
// own serializer writes at the top level of one struct.
type recorder struct {
	depth    int
	top      []string
	variants []string // union members written
}

func (r *recorder) note(s *smithy.Schema) {
	if r.depth == 0 {
		r.top = append(r.top, s.MemberName())
	}
}

func (r *recorder) Bytes() []byte                            { return nil }
func (r *recorder) WriteInt8(s *smithy.Schema, _ int8)       { r.note(s) }
func (r *recorder) WriteInt16(s *smithy.Schema, _ int16)     { r.note(s) }
func (r *recorder) WriteInt32(s *smithy.Schema, _ int32)     { r.note(s) }
func (r *recorder) WriteInt64(s *smithy.Schema, _ int64)     { r.note(s) }
func (r *recorder) WriteFloat32(s *smithy.Schema, _ float32) { r.note(s) }
func (r *recorder) WriteFloat64(s *smithy.Schema, _ float64) { r.note(s) }
func (r *recorder) WriteBool(s *smithy.Schema, _ bool)       { r.note(s) }
func (r *recorder) WriteString(s *smithy.Schema, _ string)   { r.note(s) }
func (r *recorder) WriteBigInt(s *smithy.Schema, _ *big.Int) { r.note(s) }
func (r *recorder) WriteBigFloat(s *smithy.Schema, _ *big.Float) {
	r.note(s)
}
func (r *recorder) WriteBlob(s *smithy.Schema, _ []byte)    { r.note(s) }
func (r *recorder) WriteTime(s *smithy.Schema, _ time.Time) { r.note(s) }
func (r *recorder) WriteNil(s *smithy.Schema)               { r.note(s) }
func (r *recorder) WriteKey(*smithy.Schema, string)         {}
func (r *recorder) WriteDocument(s *smithy.Schema, _ smithydocument.Value) {
	r.note(s)
}
func (r *recorder) WriteUnion(s, variant *smithy.Schema) {
	r.note(s)
	r.variants = append(r.variants, variant.MemberName())
	r.depth++
}
func (r *recorder) CloseUnion()                  { r.depth-- }
func (r *recorder) WriteStruct(s *smithy.Schema) { r.note(s); r.depth++ }
func (r *recorder) CloseStruct()                 { r.depth-- }
func (r *recorder) WriteList(s *smithy.Schema)   { r.note(s); r.depth++ }
func (r *recorder) CloseList()                   { r.depth-- }
func (r *recorder) WriteMap(s *smithy.Schema)    { r.note(s); r.depth++ }
func (r *recorder) CloseMap()                    { r.depth-- }

var _ smithy.ShapeSerializer = (*recorder)(nil)

type membersSerializer interface {
	SerializeMembers(smithy.ShapeSerializer)
}

// sdkWrites runs the SDK serializer on v (a pointer to an SDK struct) and
// returns the members it writes and the union members it picks.
func sdkWrites(v reflect.Value) (top, variants []string, ok bool) {
	ms, ok := v.Interface().(membersSerializer)
	if !ok {
		return nil, nil, false
	}
	r := &recorder{}
	ms.SerializeMembers(r)
	return r.top, r.variants, true
}

// sample returns a value of type t that the SDK serializer writes: non-nil
// for pointers, slices, maps, unions and documents, non-zero for scalars.
func sample(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(t, 0, 0))
	case reflect.Map:
		v.Set(reflect.MakeMap(t))
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Struct:
		if t == timeType {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
		}
	case reflect.Interface:
		if t == documentType {
			v.Set(reflect.ValueOf(document.NewLazyDocument(map[string]any{})))
		} else if u, ok := unions[t]; ok {
			v.Set(reflect.New(u.members[0].typ.Elem()))
		}
	}
	return v
}

// TestMemberNamesMatchSDKSerializer checks, for every struct reachable from
// the operations, that each Go field is written by the SDK under the member
// name MemberName gives, that union member names match, and that the
// alwaysWritten table lists exactly what the SDK writes for a zero struct.
func TestMemberNamesMatchSDKSerializer(t *testing.T) {
	r := walkTypes(modelOperations...)
	types := slices.Clone(r.structs)
	for at := range alwaysWritten {
		if !slices.Contains(types, at) {
			types = append(types, at)
		}
	}
	var problems []string
	for _, st := range types {
		always, _, ok := sdkWrites(reflect.New(st))
		if !ok {
			problems = append(problems, st.Name()+": no SDK serializer")
			continue
		}
		var table []string
		for _, goName := range alwaysWritten[st] {
			table = append(table, MemberName(goName))
		}
		slices.Sort(always)
		slices.Sort(table)
		if !slices.Equal(always, table) {
			problems = append(problems, fmt.Sprintf("%s: SDK writes %v for the zero value, alwaysWritten has %v", st.Name(), always, table))
		}
		for _, f := range structInfoFor(st).fields {
			v := reflect.New(st)
			v.Elem().Field(f.index).Set(sample(f.typ))
			top, variants, _ := sdkWrites(v)
			extra := slices.DeleteFunc(slices.Clone(top), func(n string) bool { return slices.Contains(always, n) })
			if f.always {
				extra = append(extra, f.name)
			}
			if !slices.Equal(extra, []string{f.name}) {
				problems = append(problems, fmt.Sprintf("%s.%s: SDK writes %v, codec uses %q", st.Name(), f.goName, extra, f.name))
			}
			if u, ok := unions[f.typ]; ok && !slices.Equal(variants, []string{u.members[0].name}) {
				problems = append(problems, fmt.Sprintf("%s.%s: SDK union member %v, codec uses %q", st.Name(), f.goName, variants, u.members[0].name))
			}
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d differences from the SDK serializer:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}
