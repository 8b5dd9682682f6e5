package mapping

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestECSName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		changed bool
	}{
		{"dns label unchanged", "web-frontend", "web-frontend", false},
		{"dots become dashes", "api.example.com", "api-example-com", true},
		{"ECS characters kept", "My_App-2", "My_App-2", false},
		{"other characters become dashes", "a b:c/d", "a-b-c-d", true},
		{"non-ASCII rune becomes one dash", "café", "caf-", true},
		{"empty stays empty", "", "", false},
		{"truncated to 255", strings.Repeat("a", 300), strings.Repeat("a", 255), true},
		{"255 kept", strings.Repeat("b", 255), strings.Repeat("b", 255), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := ECSName(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
			if tt.in != "" {
				assert.True(t, ValidECSName(got))
			}
		})
	}
}

func TestValidECSName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"web", true},
		{"Web_1-x", true},
		{"", false},
		{"a.b", false},
		{"a b", false},
		{"ä", false},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("x", 256), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.20q", tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, ValidECSName(tt.in))
		})
	}
}

func TestK8sName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		changed bool
	}{
		{"valid label unchanged", "web-1", "web-1", false},
		{"upper case lowered", "WebApp", "webapp", true},
		{"underscore becomes dash", "my_app", "my-app", true},
		{"dots become dashes", "a.b", "a-b", true},
		{"runs collapse", "a__-__b", "a-b", true},
		{"ends trimmed", "_-web-_", "web", true},
		{"non-ASCII dropped", "café-bar", "caf-bar", true},
		{"nothing left", "___", "unnamed", true},
		{"empty", "", "unnamed", true},
		{"truncated to 63", strings.Repeat("a", 70), strings.Repeat("a", 63), true},
		{"trailing dash after truncation trimmed", strings.Repeat("a", 62) + "_b", strings.Repeat("a", 62), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := K8sName(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
			assert.Empty(t, validation.IsDNS1123Label(got))
		})
	}
	t.Run("every valid ECS name maps to a valid label", func(t *testing.T) {
		for _, in := range []string{"A", "_", "-", "0", "a-", "-a", "A_B_C", "x" + strings.Repeat("_", 100) + "y"} {
			got, _ := K8sName(in)
			assert.Empty(t, validation.IsDNS1123Label(got), in)
		}
	})
}

func TestK8sSubdomain(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		changed bool
	}{
		{"valid subdomain unchanged", "api.example.com", "api.example.com", false},
		{"upper case and underscore", "My_Svc.Example", "my-svc.example", true},
		{"empty parts dropped", "a..b.", "a.b", true},
		{"part ends trimmed", "a.-b-.c", "a.b.c", true},
		{"part of only symbols dropped", "a._.b", "a.b", true},
		{"nothing left", "...", "unnamed", true},
		{"long labels allowed", strings.Repeat("a", 100), strings.Repeat("a", 100), false},
		{"truncated to 253", strings.Repeat("a", 300), strings.Repeat("a", 253), true},
		{"trailing dot after truncation trimmed", strings.Repeat("a", 252) + ".b", strings.Repeat("a", 252), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := K8sSubdomain(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
			assert.Empty(t, validation.IsDNS1123Subdomain(got))
		})
	}
}

func TestECSPortName(t *testing.T) {
	for _, in := range []string{"http", "grpc-web", "h2c", "metrics9090", "a-b-c-d-e-f-g-h"} {
		t.Run(in, func(t *testing.T) {
			require.Empty(t, validation.IsValidPortName(in))
			got := ECSPortName(in)
			assert.Equal(t, in, got)
			assert.True(t, ValidECSPortName(got))
		})
	}
}

func TestValidECSPortName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"http", true},
		{"my_port-1", true},
		{"_x", true},
		{"-x", false},
		{"Http", false},
		{"a.b", false},
		{"", false},
		{strings.Repeat("p", 64), true},
		{strings.Repeat("p", 65), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.20q", tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, ValidECSPortName(tt.in))
		})
	}
}

func TestK8sPortName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		changed bool
	}{
		{"valid unchanged", "http", "http", false},
		{"underscore", "web_ui", "web-ui", true},
		{"runs collapse", "a__b", "a-b", true},
		{"ends trimmed", "_http_", "http", true},
		{"truncated to 15", "metrics-endpoint-port", "metrics-endpoin", true},
		{"trailing dash after truncation trimmed", "metrics-portin-x", "metrics-portin", true},
		{"truncation before a dash", "abcdefghijklmn_op", "abcdefghijklmn", true},
		{"digits only get a letter", "8080", "p-8080", true},
		{"long digits", "1234567890123456", "p-1234567890123", true},
		{"empty stays empty", "", "", false},
		{"nothing usable", "___", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := K8sPortName(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
			if got != "" {
				assert.Empty(t, validation.IsValidPortName(got))
			}
		})
	}
}

func TestTagsFromLabels(t *testing.T) {
	t.Run("sorted and copied", func(t *testing.T) {
		tags, fs := TagsFromLabels(map[string]string{
			"tier":                   "web",
			"app.kubernetes.io/name": "shop",
			"empty":                  "",
		}, "metadata.labels")
		assert.Empty(t, fs)
		assert.Equal(t, []types.Tag{
			{Key: aws.String("app.kubernetes.io/name"), Value: aws.String("shop")},
			{Key: aws.String("empty"), Value: aws.String("")},
			{Key: aws.String("tier"), Value: aws.String("web")},
		}, tags)
	})
	t.Run("nil labels", func(t *testing.T) {
		tags, fs := TagsFromLabels(nil, "metadata.labels")
		assert.Nil(t, tags)
		assert.Empty(t, fs)
	})

	drops := []struct {
		name   string
		key    string
		value  string
		reason string
	}{
		{"aws prefix on key", "AWS:owner", "me", `"aws:"`},
		{"aws prefix on value", "owner", "aws:me", `"aws:"`},
		{"key too long", "example.com/" + strings.Repeat("k", 117), "v", "128"},
		{"value too long", "k", strings.Repeat("v", 257), "256"},
		{"disallowed character", "k", "a;b", "allow only"},
		{"empty key", "", "v", "empty"},
	}
	for _, tt := range drops {
		t.Run(tt.name, func(t *testing.T) {
			tags, fs := TagsFromLabels(map[string]string{tt.key: tt.value, "ok": "1"}, "metadata.labels")
			require.Len(t, tags, 1)
			assert.Equal(t, "ok", aws.ToString(tags[0].Key))
			require.Len(t, fs, 1)
			assert.Equal(t, Lossy, fs[0].Level)
			assert.Equal(t, fmt.Sprintf("metadata.labels[%q]", tt.key), fs[0].Path)
			assert.Contains(t, fs[0].Message, tt.reason)
		})
	}
	t.Run("limits are inclusive", func(t *testing.T) {
		key := "example.com/" + strings.Repeat("k", 116) // 128 characters
		value := strings.Repeat("ü", 256)                // 256 characters, 512 bytes
		tags, fs := TagsFromLabels(map[string]string{key: value}, "metadata.labels")
		assert.Empty(t, fs)
		assert.Len(t, tags, 1)
	})
	t.Run("unicode letters, spaces and symbols allowed", func(t *testing.T) {
		tags, fs := TagsFromLabels(map[string]string{"team name": "Équipe +1 @home =x"}, "metadata.labels")
		assert.Empty(t, fs)
		assert.Len(t, tags, 1)
	})
	t.Run("at most 50 tags, last keys dropped", func(t *testing.T) {
		labels := map[string]string{}
		for i := range 53 {
			labels[fmt.Sprintf("k%02d", i)] = "v"
		}
		tags, fs := TagsFromLabels(labels, "spec.template.metadata.labels")
		require.Len(t, tags, MaxTags)
		assert.Equal(t, "k49", aws.ToString(tags[49].Key))
		require.Len(t, fs, 3)
		for i, f := range fs {
			assert.Equal(t, Lossy, f.Level)
			assert.Equal(t, fmt.Sprintf(`spec.template.metadata.labels["k%02d"]`, 50+i), f.Path)
		}
	})
	t.Run("invalid labels do not use up the limit", func(t *testing.T) {
		labels := map[string]string{"aws:a": "x"}
		for i := range 50 {
			labels[fmt.Sprintf("k%02d", i)] = "v"
		}
		tags, fs := TagsFromLabels(labels, "metadata.labels")
		assert.Len(t, tags, 50)
		assert.Len(t, fs, 1)
	})
}

func TestLabelsFromTags(t *testing.T) {
	tags := []types.Tag{
		{Key: aws.String("app.kubernetes.io/name"), Value: aws.String("shop")},
		{Key: aws.String("Team Name"), Value: aws.String("core")},
		{Key: aws.String("owner"), Value: aws.String("alice@example.com")},
		{Key: aws.String("empty"), Value: nil},
		{Key: aws.String("app.kubernetes.io/name"), Value: aws.String("other")},
		{Key: aws.String("long"), Value: aws.String(strings.Repeat("v", 64))},
		{Key: nil, Value: aws.String("x")},
	}
	labels, rest, fs := LabelsFromTags(tags, "tags")
	assert.Equal(t, map[string]string{"app.kubernetes.io/name": "shop", "empty": ""}, labels)
	assert.Equal(t, []types.Tag{tags[1], tags[2], tags[4], tags[5], tags[6]}, rest)
	require.Len(t, fs, 5)
	for i, idx := range []int{1, 2, 4, 5, 6} {
		assert.Equal(t, Info, fs[i].Level)
		assert.Equal(t, fmt.Sprintf("tags[%d]", idx), fs[i].Path)
	}
	assert.Contains(t, fs[0].Message, "key")
	assert.Contains(t, fs[1].Message, "value")
	assert.Contains(t, fs[2].Message, "repeats")
	for k, v := range labels {
		assert.Empty(t, content.IsLabelKey(k))
		assert.Empty(t, content.IsLabelValue(v))
	}

	t.Run("empty input gives nil", func(t *testing.T) {
		labels, rest, fs := LabelsFromTags(nil, "tags")
		assert.Nil(t, labels)
		assert.Nil(t, rest)
		assert.Empty(t, fs)
	})
	t.Run("round trip through tags", func(t *testing.T) {
		in := map[string]string{"a": "1", "example.com/b": "two", "c": ""}
		tags, fs := TagsFromLabels(in, "metadata.labels")
		require.Empty(t, fs)
		out, rest, fs := LabelsFromTags(tags, "tags")
		assert.Empty(t, fs)
		assert.Nil(t, rest)
		assert.Equal(t, in, out)
	})
}
