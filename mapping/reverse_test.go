package mapping

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestEscapeExpansion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"$(HOME)", "$$(HOME)"},
		{"$$", "$$$"},
		{"a$$(b)", "a$$$$(b)"},
		{"cost $5", "cost $5"},
		{"end$", "end$"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, EscapeExpansion(tt.in))
		})
	}
}

// TestEscapeExpansionInvertsExpandRefs checks every string of up to 7 characters over an alphabet
// of the characters that matter: Kubernetes expansion of the escaped string gives it back, even
// when every variable is defined.
func TestEscapeExpansionInvertsExpandRefs(t *testing.T) {
	alphabet := []byte{'$', '(', ')', 'A'}
	lookup := func(string) (string, bool) { return "EXPANDED", true }
	var walk func(prefix []byte)
	checked := 0
	walk = func(prefix []byte) {
		s := string(prefix)
		got, unresolved := ExpandRefs(EscapeExpansion(s), lookup)
		if got != s || unresolved != nil {
			t.Fatalf("%q: escaped %q expands to %q (unresolved %v)", s, EscapeExpansion(s), got, unresolved)
		}
		checked++
		if len(prefix) == 7 {
			return
		}
		for _, c := range alphabet {
			walk(append(prefix, c))
		}
	}
	walk(nil)
	assert.Equal(t, 21845, checked)
}

func TestParseSecretSource(t *testing.T) {
	tests := []struct {
		in   string
		want SecretSource
	}{
		{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", SecretSource{Store: SecretsManager, Name: "prod/db-AbCdEf", Region: "eu-west-1", Account: "123456789012",
			Base: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}},
		{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password:AWSPREVIOUS:", SecretSource{Store: SecretsManager, Name: "prod/db-AbCdEf", JSONKey: "password", VersionStage: "AWSPREVIOUS",
			Region: "eu-west-1", Account: "123456789012", Base: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}},
		{"arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:x:::v-1", SecretSource{Store: SecretsManager, Name: "x", VersionID: "v-1", Region: "us-gov-west-1", Account: "1",
			Base: "arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:x"}},
		{"arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/password", SecretSource{Store: ParameterStore, Name: "/prod/db/password", Region: "eu-west-1", Account: "123456789012",
			Base: "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/password"}},
		{"arn:aws:ssm:eu-west-1:123456789012:parameter/flat", SecretSource{Store: ParameterStore, Name: "flat", Region: "eu-west-1", Account: "123456789012",
			Base: "arn:aws:ssm:eu-west-1:123456789012:parameter/flat"}},
		{"/prod/token", SecretSource{Store: ParameterStore, Name: "/prod/token", Base: "/prod/token"}},
		{"token", SecretSource{Store: ParameterStore, Name: "token", Base: "token"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseSecretSource(tt.in))
		})
	}
}

func TestK8sSecretNameAndKey(t *testing.T) {
	tests := []struct {
		valueFrom, env    string
		wantName, wantKey string
		wantChanged       bool
	}{
		{"arn:aws:secretsmanager:r:1:secret:prod/db-AbCdEf:password::", "DB_PW", "prod-db-abcdef", "password", false},
		{"arn:aws:secretsmanager:r:1:secret:My_Secret", "API_KEY", "my-secret", "API_KEY", false},
		{"arn:aws:secretsmanager:r:1:secret:app.v2", "X", "app.v2", "X", false},
		{"arn:aws:secretsmanager:r:1:secret:s:user name::", "X", "s", "user_name", true},
		{"/prod/api/token", "TOKEN:V2", "prod-api-token", "TOKEN_V2", true},
		{"/p", "..hidden", "p", "_.hidden", true},
		{"/p", "", "p", "value", true},
	}
	for _, tt := range tests {
		t.Run(tt.valueFrom, func(t *testing.T) {
			src := ParseSecretSource(tt.valueFrom)
			name := K8sSecretName(src)
			key, changed := K8sSecretKey(src, tt.env)
			assert.Equal(t, tt.wantName, name)
			assert.Equal(t, tt.wantKey, key)
			assert.Equal(t, tt.wantChanged, changed)
			assert.Empty(t, validation.IsDNS1123Subdomain(name))
			assert.Empty(t, validation.IsConfigMapKey(key))
		})
	}
}

func TestEmptyDirFromTmpfs(t *testing.T) {
	src, ro, other := EmptyDirFromTmpfs(types.Tmpfs{ContainerPath: aws.String("/run"), Size: 128, MountOptions: []string{"rw", "noexec", "ro", "mode=1777"}})
	assert.Equal(t, corev1.StorageMediumMemory, src.Medium)
	require.NotNil(t, src.SizeLimit)
	assert.Equal(t, "128Mi", src.SizeLimit.String())
	mib, exact := MemoryMiB(*src.SizeLimit)
	assert.True(t, exact)
	assert.Equal(t, int64(128), mib, "the forward rule gives the size back")
	assert.True(t, ro)
	assert.Equal(t, []string{"noexec", "mode=1777"}, other)

	src, ro, other = EmptyDirFromTmpfs(types.Tmpfs{ContainerPath: aws.String("/x")})
	assert.Nil(t, src.SizeLimit, "no size, no limit")
	assert.False(t, ro)
	assert.Nil(t, other)
}

func TestGracePeriodFromStopTimeouts(t *testing.T) {
	tests := []struct {
		name        string
		in          []*int32
		want        *int64
		wantUniform bool
	}{
		{"none", []*int32{nil, nil}, nil, true},
		{"no containers", nil, nil, true},
		{"same", []*int32{aws.Int32(45), aws.Int32(45)}, aws.Int64(45), true},
		{"largest wins", []*int32{aws.Int32(10), aws.Int32(90), aws.Int32(30)}, aws.Int64(90), false},
		{"only some", []*int32{nil, aws.Int32(20)}, aws.Int64(20), false},
		{"negative ignored", []*int32{aws.Int32(-5)}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, uniform := GracePeriodFromStopTimeouts(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantUniform, uniform)
		})
	}
}

func TestECSRulesWellFormed(t *testing.T) {
	for _, table := range [][]ECSRule{TaskDefinitionRules, ECSServiceRules} {
		seen := map[string]bool{}
		for _, r := range table {
			assert.False(t, seen[r.ECS], "duplicate rule %s", r.ECS)
			seen[r.ECS] = true
			assert.NotEmpty(t, r.Note, r.ECS)
			switch r.How {
			case Carried:
				assert.NotEmpty(t, r.Level, "%s: a carried field is reported", r.ECS)
				assert.Empty(t, r.K8s, r.ECS)
			case Mapped, Partial:
				assert.NotEmpty(t, r.K8s, r.ECS)
				assert.Empty(t, r.Level, r.ECS)
			default:
				t.Errorf("%s: unexpected treatment %q", r.ECS, r.How)
			}
		}
	}
}

func TestLookupECSRule(t *testing.T) {
	r, ok := LookupECSRule(TaskDefinitionRules, "containerDefinitions[3].linuxParameters.devices")
	require.True(t, ok)
	assert.Equal(t, Carried, r.How)
	assert.Equal(t, Lossy, r.Level)
	_, ok = LookupECSRule(TaskDefinitionRules, "containerDefinitions[0].nope")
	assert.False(t, ok)
	r, ok = LookupECSRule(ECSServiceRules, "deploymentConfiguration.maximumPercent")
	require.True(t, ok)
	assert.Equal(t, Mapped, r.How)
}

func TestRenderReverseMarkdown(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, RenderReverseMarkdown(&a))
	require.NoError(t, RenderReverseMarkdown(&b))
	assert.Equal(t, a.String(), b.String())
	for _, r := range append(append([]ECSRule(nil), TaskDefinitionRules...), ECSServiceRules...) {
		assert.Contains(t, a.String(), "| `"+r.ECS+"` |")
	}
	for _, line := range strings.Split(strings.TrimSpace(a.String()), "\n") {
		if strings.HasPrefix(line, "| `") {
			assert.Equal(t, 4, strings.Count(line, " | "), "five cells: %s", line)
		}
	}
}
