package mapping

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
)

// MaxECSNameLength is the longest task definition family, container, service or volume name ECS
// accepts.
const MaxECSNameLength = 255

// ValidECSName reports whether s is a valid ECS task definition family, container, service or
// volume name: 1 to 255 ASCII letters, digits, '_' and '-'.
func ValidECSName(s string) bool {
	return s != "" && len(s) <= MaxECSNameLength && !strings.ContainsFunc(s, func(r rune) bool { return !isECSNameRune(r) })
}

// ECSName turns a Kubernetes object, container or volume name into an ECS name. ECS allows only
// [A-Za-z0-9_-] (no '.', which DNS-1123 subdomains use), so every other character becomes '-',
// and the result is cut to 255 characters. changed reports a rewrite, which the caller reports.
// An empty s gives "" (changed false): the caller knows which field was missing and reports it.
func ECSName(s string) (name string, changed bool) {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == MaxECSNameLength {
			break
		}
		if isECSNameRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
		n++
	}
	name = b.String()
	return name, name != s
}

func isECSNameRune(r rune) bool {
	return r == '_' || r == '-' || isASCIIAlnum(r)
}

func isASCIIAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isLowerAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
}

// unnamed replaces a name that sanitises to nothing.
const unnamed = "unnamed"

// K8sName turns an ECS name into a Kubernetes DNS-1123 label (container names, and object names
// that must be labels): ECS allows upper case and '_', Kubernetes does not. The name is
// lower-cased, every character outside [a-z0-9-] becomes '-', runs of '-' collapse, leading and
// trailing non-alphanumerics are trimmed and the result is cut to 63 characters. A name with
// nothing left becomes "unnamed". changed reports a rewrite, which the caller reports.
func K8sName(s string) (name string, changed bool) {
	name = dns1123Label(s, validation.DNS1123LabelMaxLength)
	if name == "" {
		name = unnamed
	}
	return name, name != s
}

// K8sSubdomain is K8sName for names that may be DNS-1123 subdomains (most object names): dots
// are kept as separators, each dot-separated part is sanitised like a label, empty parts are
// dropped and the result is cut to 253 characters.
func K8sSubdomain(s string) (string, bool) {
	var parts []string
	for _, p := range strings.Split(s, ".") {
		if l := dns1123Label(p, validation.DNS1123SubdomainMaxLength); l != "" {
			parts = append(parts, l)
		}
	}
	name := strings.Join(parts, ".")
	if len(name) > validation.DNS1123SubdomainMaxLength {
		name = trimNonAlnum(name[:validation.DNS1123SubdomainMaxLength])
	}
	if name == "" {
		name = unnamed
	}
	return name, name != s
}

// dns1123Label lower-cases s, maps characters outside [a-z0-9] to single '-' separators, trims
// the ends to alphanumerics and cuts the result to maxLen.
func dns1123Label(s string, maxLen int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if isLowerAlnum(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > maxLen {
		out = trimNonAlnum(out[:maxLen])
	}
	return out
}

// trimNonAlnum removes '-' and '.' from both ends; callers pass ASCII-only strings.
func trimNonAlnum(s string) string { return strings.Trim(s, "-.") }

// MaxK8sPortNameLength is the IANA service name limit that Kubernetes port names follow.
const MaxK8sPortNameLength = 15

// ECSPortName maps a Kubernetes port name to an ECS portMappings[].name. Every valid Kubernetes
// port name (IANA_SVC_NAME: up to 15 of [a-z0-9-]) is a valid ECS port name (up to 64 of
// [a-z0-9_-], no leading '-'), so the name is kept as is.
func ECSPortName(k8sPortName string) string { return k8sPortName }

// ValidECSPortName reports whether s is a valid ECS port mapping name: up to 64 lower-case
// letters, digits, '_' and '-', not starting with '-'. Service Connect refers to ports by it.
func ValidECSPortName(s string) bool {
	return s != "" && len(s) <= 64 && s[0] != '-' &&
		!strings.ContainsFunc(s, func(r rune) bool { return !isLowerAlnum(r) && r != '_' && r != '-' })
}

// K8sPortName turns an ECS port mapping name into a Kubernetes port name (IANA_SVC_NAME: at most
// 15 characters of [a-z0-9-], at least one letter, no leading, trailing or doubled '-'). ECS allows
// '_' and 64 characters, so '_' and other characters become '-', runs collapse, the ends are
// trimmed and the name is cut to 15. A name with no letter gets a "p-" prefix ("8080" ->
// "p-8080"). An empty ECS name stays empty (Kubernetes port names are optional); a name with
// nothing usable left gives "" and changed true, and the caller reports the dropped name.
func K8sPortName(ecsName string) (string, bool) {
	if ecsName == "" {
		return "", false
	}
	name := dns1123Label(ecsName, MaxK8sPortNameLength)
	if name != "" && !strings.ContainsFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		name = dns1123Label("p-"+name, MaxK8sPortNameLength)
	}
	return name, name != ecsName
}

// ECS tag limits from the Tag shape: at most 50 tags per resource, keys of 1 to 128 characters,
// values of up to 256, counted as Unicode characters.
const (
	MaxTags           = 50
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
)

// validTagText reports whether s matches the TagKey/TagValue pattern of the ECS API model,
// ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$: Unicode letters, separators and numbers, plus _ . : / = + - @.
func validTagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.In(r, unicode.Z, unicode.N) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// tagProblem says why a key/value pair cannot be an ECS tag, or "" if it can.
func tagProblem(key, value string) string {
	switch {
	case key == "":
		return "an ECS tag key must not be empty"
	case utf8.RuneCountInString(key) > MaxTagKeyLength:
		return "the key is longer than the 128 characters an ECS tag key allows"
	case utf8.RuneCountInString(value) > MaxTagValueLength:
		return "the value is longer than the 256 characters an ECS tag value allows"
	case hasAWSPrefix(key) || hasAWSPrefix(value):
		return `ECS reserves the "aws:" prefix for tag keys and values`
	case !validTagText(key) || !validTagText(value):
		return "ECS tags allow only letters, digits, spaces and _ . : / = + - @"
	}
	return ""
}

func hasAWSPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "aws:")
}

// keyPath renders the path of a map entry, e.g. metadata.labels["app.kubernetes.io/name"].
func keyPath(path, key string) string { return path + "[" + strconv.Quote(key) + "]" }

// TagsFromLabels turns Kubernetes labels into ECS tags, sorted by key so output is stable. Labels
// that break the ECS tag rules (key 1..128 characters, value up to 256, no "aws:" prefix on
// either, the ECS character set) and labels beyond the 50-tag limit (the last keys in sort order)
// are dropped with a Lossy finding at path["key"]. Valid Kubernetes labels always satisfy the
// length and character rules; the checks guard against hand-made maps.
func TagsFromLabels(labels map[string]string, path string) ([]types.Tag, Findings) {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	var tags []types.Tag
	var fs Findings
	for _, k := range keys {
		v := labels[k]
		if problem := tagProblem(k, v); problem != "" {
			fs.Add(keyPath(path, k), Lossy, "label not copied to ECS tags: %s", problem)
			continue
		}
		if len(tags) == MaxTags {
			fs.Add(keyPath(path, k), Lossy, "label not copied to ECS tags: ECS allows at most %d tags per resource", MaxTags)
			continue
		}
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return tags, fs
}

// LabelsFromTags turns ECS tags into Kubernetes labels. Tags whose key is a valid label key
// (optional DNS subdomain prefix, name of up to 63 characters) and whose value is a valid label
// value (up to 63 characters) become labels; ECS allows longer keys and values and spaces, so the
// other tags are returned in rest, in their original order, with an Info finding at path[i]
// (callers keep them as annotations). A repeated key keeps its first value. Empty results are nil.
func LabelsFromTags(tags []types.Tag, path string) (labels map[string]string, rest []types.Tag, fs Findings) {
	for i, t := range tags {
		k, v := aws.ToString(t.Key), aws.ToString(t.Value)
		var why string
		switch {
		case len(content.IsLabelKey(k)) > 0:
			why = "its key is not a valid Kubernetes label key"
		case len(content.IsLabelValue(v)) > 0:
			why = "its value is not a valid Kubernetes label value"
		default:
			if _, dup := labels[k]; dup {
				why = "its key repeats an earlier tag"
			}
		}
		if why != "" {
			rest = append(rest, t)
			fs.Add(Index(path, i), Info, "tag %q kept out of labels: %s", k, why)
			continue
		}
		if labels == nil {
			labels = map[string]string{}
		}
		labels[k] = v
	}
	return labels, rest, fs
}
