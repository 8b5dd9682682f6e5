package convert

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/podecs/podecs/mapping"
)

// cfnFieldNames maps the goformation fields (Type.Field) whose API member has another name; the
// other fields have the name of their API member. "" marks a CloudFormation property the API
// input has no member for: it is reported and left out. TestCloudFormationCoverage walks every
// struct reachable from AWS::ECS::TaskDefinition and AWS::ECS::Service and proves that each
// field lands on an API member of a type it can be copied to.
var cfnFieldNames = map[string]string{
	"TaskDefinition_ContainerDefinition.DependsOnProp":               "DependsOn",
	"TaskDefinition_Volume.EFSVolumeConfiguration":                   "EfsVolumeConfiguration",
	"TaskDefinition_EFSVolumeConfiguration.FilesystemId":             "FileSystemId",
	"TaskDefinition_AuthorizationConfig.IAM":                         "Iam",
	"TaskDefinition_Volume.FSxWindowsFileServerVolumeConfiguration":  "FsxWindowsFileServerVolumeConfiguration",
	"TaskDefinition_ProxyConfiguration.ProxyConfigurationProperties": "Properties",
	"Service.PlacementStrategies":                                    "PlacementStrategy",
}

// cfnFieldName is the API member a goformation field goes to, and whether there is one.
func cfnFieldName(t reflect.Type, f reflect.StructField) (string, bool) {
	if name, ok := cfnFieldNames[t.Name()+"."+f.Name]; ok {
		return name, name != ""
	}
	return f.Name, true
}

// cfnCopy copies a goformation struct to an API struct field by field: scalars to scalars (an
// int to int32 with a range check, a string to an enum), lists element by element, structs field
// by field, CloudFormation tags to ECS tags. A property without an API member is reported.
func cfnCopy(src, dst reflect.Value, path string, fs *mapping.Findings) error {
	st := src.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() || strings.HasPrefix(f.Name, "AWSCloudFormation") || src.Field(i).IsZero() {
			continue
		}
		member, ok := cfnFieldName(st, f)
		jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p := mapping.Join(path, jsonName)
		if !ok {
			fs.Add(p, mapping.Info, "%s is a CloudFormation property with no place in the ECS API input; ignored", jsonName)
			continue
		}
		d := dst.FieldByName(member)
		if !d.IsValid() {
			return fmt.Errorf("%s: no API member %s (a CloudFormation property podecs does not know)", p, member)
		}
		if err := cfnAssign(src.Field(i), d, p, fs); err != nil {
			return err
		}
	}
	return nil
}

func cfnAssign(s, d reflect.Value, path string, fs *mapping.Findings) error {
	if s.Kind() == reflect.Pointer || s.Kind() == reflect.Interface {
		if s.IsNil() {
			return nil
		}
		s = s.Elem()
	}
	if d.Kind() == reflect.Pointer {
		v := reflect.New(d.Type().Elem())
		if err := cfnAssign(s, v.Elem(), path, fs); err != nil {
			return err
		}
		d.Set(v)
		return nil
	}
	switch {
	case s.Kind() == reflect.Struct && d.Kind() == reflect.Struct:
		return cfnCopy(s, d, path, fs)
	case s.Kind() == reflect.Slice && d.Kind() == reflect.Slice:
		out := reflect.MakeSlice(d.Type(), s.Len(), s.Len())
		for i := range s.Len() {
			if err := cfnAssign(s.Index(i), out.Index(i), mapping.Index(path, i), fs); err != nil {
				return err
			}
		}
		d.Set(out)
	case s.Kind() == reflect.Map && d.Kind() == reflect.Map && s.Type().Elem().Kind() == reflect.String && d.Type().Elem().Kind() == reflect.String:
		out := reflect.MakeMapWithSize(d.Type(), s.Len())
		for _, k := range s.MapKeys() {
			out.SetMapIndex(k.Convert(d.Type().Key()), s.MapIndex(k).Convert(d.Type().Elem()))
		}
		d.Set(out)
	case s.Kind() == reflect.String && d.Kind() == reflect.String:
		d.SetString(s.String())
	case s.Kind() == reflect.Bool && d.Kind() == reflect.Bool:
		d.SetBool(s.Bool())
	case s.Kind() == reflect.Int && d.CanInt():
		n := s.Int()
		if d.OverflowInt(n) {
			return fmt.Errorf("%s: %d is out of range", path, n)
		}
		d.SetInt(n)
	case s.Kind() == reflect.Float64 && d.CanFloat():
		d.SetFloat(s.Float())
	case s.Kind() == reflect.Float64 && d.CanInt():
		if f := s.Float(); f != math.Trunc(f) || d.OverflowInt(int64(f)) {
			return fmt.Errorf("%s: %v is not a whole number in range", path, f)
		}
		d.SetInt(int64(s.Float()))
	default:
		return fmt.Errorf("%s: a CloudFormation %s cannot be copied to the API's %s", path, s.Type(), d.Type())
	}
	return nil
}
