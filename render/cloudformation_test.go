package render

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/convert"
)

// parseTemplate parses a template strictly with the whole goformation library (every resource
// type's struct refuses an unknown property). The properties goformation predates are taken out
// first, and returned by resource; required parameters get "required:NAME", secret ARN
// parameters the prefix of the converter's placeholder, list parameters their defaults as lists.
func parseTemplate(t *testing.T, data []byte, isJSON bool) (*cloudformation.Template, map[string]map[string]any) {
	t.Helper()
	var doc map[string]any
	if isJSON {
		require.NoError(t, json.Unmarshal(data, &doc))
	} else {
		// The short forms (!Ref, !Sub, !GetAtt) are read by goformation itself below; here only
		// the gaps are looked up, so they are read as plain strings.
		plain := strings.NewReplacer("!Ref ", "", "!Sub ", "", "!GetAtt ", "").Replace(string(data))
		require.NoError(t, yaml.Unmarshal([]byte(plain), &doc))
	}
	gaps := map[string]map[string]any{}
	resources, _ := doc["Resources"].(map[string]any)
	for id, r := range resources {
		r := r.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		typ := r["Type"].(string)
		for _, g := range cfnLibraryGaps[typ] {
			if v, ok := props[g]; ok {
				gaps[id] = map[string]any{g: v}
			}
		}
		if cds, ok := props["ContainerDefinitions"].([]any); ok {
			for i, cd := range cds {
				for _, g := range cfnLibraryGaps[typ+".ContainerDefinitions"] {
					if v, ok := cd.(map[string]any)[g]; ok {
						if gaps[id] == nil {
							gaps[id] = map[string]any{}
						}
						gaps[id][fmt.Sprintf("%d/%s", i, g)] = v
					}
				}
			}
		}
	}
	overrides := map[string]any{}
	params, _ := doc["Parameters"].(map[string]any)
	for name, p := range params {
		p := p.(map[string]any)
		def, ok := p["Default"].(string)
		switch {
		case strings.HasPrefix(name, "Secret") && !ok:
			overrides[name] = "arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:" + secretOfParam(name)
		case !ok && p["Type"] == "CommaDelimitedList":
			overrides[name] = []any{"required:" + name}
		case !ok:
			overrides[name] = "required:" + name
		case p["Type"] == "CommaDelimitedList":
			var l []any
			for _, s := range strings.Split(def, ",") {
				l = append(l, s)
			}
			overrides[name] = l
		}
	}
	stripped := data
	for _, g := range []string{"RestartPolicy", "VersionConsistency", "EnableFaultInjection", "AvailabilityZoneRebalancing"} {
		stripped = stripKey(t, stripped, g, isJSON)
	}
	opts := &intrinsics.ProcessorOptions{ParameterOverrides: overrides}
	var tpl *cloudformation.Template
	var err error
	if isJSON {
		tpl, err = goformation.ParseJSONWithOptions(stripped, opts)
	} else {
		tpl, err = goformation.ParseYAMLWithOptions(stripped, opts)
	}
	require.NoError(t, err, "%s", stripped)
	return tpl, gaps
}

// secretOfParam is the Secret name of SecretDbCredsArn: db-creds (the fixtures' Secret names are
// lower case with hyphens).
func secretOfParam(name string) string {
	name = strings.TrimSuffix(strings.TrimPrefix(name, "Secret"), "Arn")
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stripKey removes every mapping member named key from a template.
func stripKey(t *testing.T, data []byte, key string, isJSON bool) []byte {
	t.Helper()
	var lines []string
	skip := -1
	for _, l := range strings.Split(string(data), "\n") {
		indent := len(l) - len(strings.TrimLeft(l, " -"))
		if skip >= 0 && (indent > skip || strings.TrimSpace(l) == "") {
			continue
		}
		skip = -1
		trimmed := strings.TrimLeft(l, " -")
		if strings.HasPrefix(trimmed, key+":") || strings.HasPrefix(trimmed, `"`+key+`":`) {
			if isJSON {
				t.Fatalf("a gap property in a JSON template: check the YAML form instead")
			}
			skip = indent
			if strings.HasPrefix(strings.TrimLeft(l, " "), "- ") {
				t.Fatalf("%s opens a list item", key)
			}
			continue
		}
		lines = append(lines, l)
	}
	return []byte(strings.Join(lines, "\n"))
}

// TestCloudFormationParsesStrictly: every fixture's template, YAML and JSON, parses with the
// typed library, whose structs refuse any property they do not know.
func TestCloudFormationParsesStrictly(t *testing.T) {
	for _, fx := range k8sFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			items := fx.run(t, convert.ReverseOptions{})
			yamlTpl, _ := parseTemplate(t, render(t, CloudFormation, Options{Config: fx.cfg}, items)["template.yaml"], false)
			files := render(t, CloudFormation, Options{Config: fx.cfg, JSON: true}, items)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(files["template.json"], &doc))
			if !strings.Contains(string(files["template.json"]), "RestartPolicy") && !strings.Contains(string(files["template.json"]), "AvailabilityZoneRebalancing") {
				jsonTpl, _ := parseTemplate(t, files["template.json"], true)
				assert.Equal(t, len(yamlTpl.Resources), len(jsonTpl.Resources))
			}
			assert.NotEmpty(t, yamlTpl.Resources)
		})
	}
}

// pascalToAPI is the API spelling of a CloudFormation property: the test's own table of the
// names that differ, then lower camel case.
func pascalToAPI(k string) string {
	switch k {
	case "DependsOnProp":
		return "dependsOn"
	case "FilesystemId":
		return "fileSystemId"
	case "ProxyConfigurationProperties":
		return "properties"
	case "IAM":
		return "iam"
	case "EFSVolumeConfiguration":
		return "efsVolumeConfiguration"
	case "FSxWindowsFileServerVolumeConfiguration":
		return "fsxWindowsFileServerVolumeConfiguration"
	case "SizeInGiB":
		return "sizeInGiB"
	}
	r := []rune(k)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// apiOf renames the properties of a typed resource, marshalled as JSON, to the API's members; the
// values of string maps (docker labels, log options) keep their keys.
func apiOf(v any, parent string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if parent == "Options" || parent == "DockerLabels" || parent == "DriverOpts" || parent == "Labels" {
				out[k] = e
				continue
			}
			out[pascalToAPI(k)] = apiOf(e, k)
		}
		return out
	case []any:
		for i := range x {
			x[i] = apiOf(x[i], parent)
		}
	}
	return v
}

// TestCloudFormationTaskDefinitionEquivalence: the task definition of every fixture's template,
// parsed with the typed library and its parameters at their defaults, equals the api format's
// member by member, with the properties the library predates put back where they were.
func TestCloudFormationTaskDefinitionEquivalence(t *testing.T) {
	for _, fx := range k8sFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			items := fx.run(t, convert.ReverseOptions{})
			tpl, gaps := parseTemplate(t, render(t, CloudFormation, Options{Config: fx.cfg}, items)["template.yaml"], false)
			ids := names{}
			for _, o := range outputs(items) {
				id := ids.claim(logicalID(o.Name)) + "TaskDefinition"
				td, err := tpl.GetECSTaskDefinitionWithName(id)
				require.NoError(t, err, id)
				data, err := json.Marshal(td)
				require.NoError(t, err)
				var doc map[string]any
				require.NoError(t, json.Unmarshal(data, &doc))
				got := apiOf(doc["Properties"], "").(map[string]any)
				for k, v := range gaps[id] {
					i, prop, ok := strings.Cut(k, "/")
					if !ok {
						got[pascalToAPI(k)] = v
						continue
					}
					n, _ := strconv.Atoi(i)
					got["containerDefinitions"].([]any)[n].(map[string]any)[pascalToAPI(prop)] = apiOf(v, prop)
				}
				if got["executionRoleArn"] == "required:ExecutionRoleArn" {
					delete(got, "executionRoleArn")
				}
				want := apiJSON(t, o.TaskDefinition)
				// Through JSON both sides compare numbers as float64.
				wantData, _ := json.Marshal(want)
				var wantDoc map[string]any
				require.NoError(t, json.Unmarshal(wantData, &wantDoc))
				gotData, _ := json.Marshal(got)
				var gotDoc map[string]any
				require.NoError(t, json.Unmarshal(gotData, &gotDoc))
				assert.Equal(t, wantDoc, gotDoc, o.Name)
			}
		})
	}
}
