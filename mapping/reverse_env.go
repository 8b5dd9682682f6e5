package mapping

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// EscapeExpansion writes an ECS string (entryPoint, command or environment value, which ECS passes
// verbatim) so that Kubernetes' $(VAR) expansion gives it back unchanged: every "$" followed by
// "$" or "(" is doubled. The kubelet reads "$$" as a literal "$" wherever it appears, so escaping
// "$(" alone (EscapeRefs) changes strings that contain "$$". For every s,
// ExpandRefs(EscapeExpansion(s), lookup) returns s and no unresolved names, whatever lookup knows.
func EscapeExpansion(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '$' && i+1 < len(s) && (s[i+1] == '$' || s[i+1] == '(') {
			b.WriteByte('$')
		}
	}
	return b.String()
}

// SecretStore names the AWS service an ECS secret is read from.
type SecretStore string

// The stores ECS reads secrets from.
const (
	SecretsManager SecretStore = "secretsmanager"
	ParameterStore SecretStore = "ssm"
)

// SecretSource is an ECS secrets[].valueFrom taken apart.
type SecretSource struct {
	Store SecretStore
	// Name is the Secrets Manager secret name, or the SSM parameter name as SSM spells it
	// ("/prod/db/password" for a hierarchical parameter, "db-password" for a flat one).
	Name string
	// JSONKey, VersionStage and VersionID are the optional Secrets Manager suffixes
	// (arn:…:secret:NAME:JSON-KEY:VERSION-STAGE:VERSION-ID).
	JSONKey, VersionStage, VersionID string
	// Region and Account come from the ARN; empty for an SSM parameter given by name.
	Region, Account string
	// Base is the ARN without the JSON-key and version suffixes (Secrets Manager), or the
	// parameter ARN or name as written (SSM).
	Base string
}

// ParseSecretSource reads an ECS secret reference. Secrets Manager needs an ARN
// (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[:JSON-KEY:VERSION-STAGE:VERSION-ID]);
// SSM takes a parameter ARN (arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME) or, in the task's
// own region, the parameter name alone, so anything that is not a Secrets Manager ARN is read as a
// parameter. Secret names cannot contain ':', so the fields split cleanly.
func ParseSecretSource(valueFrom string) SecretSource {
	parts := strings.Split(valueFrom, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "secretsmanager" && parts[5] == "secret" {
		src := SecretSource{Store: SecretsManager, Region: parts[3], Account: parts[4], Name: parts[6]}
		src.Base = strings.Join(parts[:7], ":")
		at := func(i int) string {
			if i < len(parts) {
				return parts[i]
			}
			return ""
		}
		src.JSONKey, src.VersionStage, src.VersionID = at(7), at(8), at(9)
		return src
	}
	src := SecretSource{Store: ParameterStore, Name: valueFrom, Base: valueFrom}
	if len(parts) >= 6 && parts[0] == "arn" && parts[2] == "ssm" {
		src.Region, src.Account = parts[3], parts[4]
		name, _ := strings.CutPrefix(strings.Join(parts[5:], ":"), "parameter")
		// A hierarchical parameter "/a/b" has the ARN resource "parameter/a/b"; a flat one "p" has
		// "parameter/p".
		if rest := strings.TrimPrefix(name, "/"); strings.Contains(rest, "/") {
			src.Name = name
		} else {
			src.Name = rest
		}
	}
	return src
}

// K8sSecretName is the Kubernetes Secret that stands for an ECS secret's source: the secret or
// parameter name made a DNS subdomain ('/' and '_' become '-', upper case is lowered), because the
// values themselves are never known to podecs and must be filled from that source.
func K8sSecretName(src SecretSource) string {
	name, _ := K8sSubdomain(strings.TrimPrefix(src.Name, "/"))
	return name
}

// K8sSecretKey makes a Secret data key: the Secrets Manager JSON key if there is one, else the
// environment variable's name. Secret keys allow only [-._a-zA-Z0-9] (at most 253 characters), so
// other characters become '_' (and a leading ".." becomes "_."); changed reports a rewrite.
func K8sSecretKey(src SecretSource, envName string) (key string, changed bool) {
	want := src.JSONKey
	if want == "" {
		want = envName
	}
	var b strings.Builder
	for _, r := range want {
		if r == '-' || r == '.' || r == '_' || isASCIIAlnum(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	key = b.String()
	if len(key) > validation.DNS1123SubdomainMaxLength {
		key = key[:validation.DNS1123SubdomainMaxLength]
	}
	switch {
	case key == "" || key == ".":
		key = "value"
	case strings.HasPrefix(key, ".."):
		key = "_" + key[1:] // Kubernetes refuses keys starting with ".."
	}
	return key, key != want
}
