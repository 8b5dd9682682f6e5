package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"secretsmanager:Get*", "secretsmanager:GetSecretValue", true},
		{"secretsmanager:Get*", "secretsmanager:ListSecrets", false},
		{"arn:aws:secretsmanager:*:*:secret:db-??????", "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf", true},
		{"arn:aws:secretsmanager:*:*:secret:db-??????", "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdE", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, wildcard(tt.pattern, tt.s), "%s ~ %s", tt.pattern, tt.s)
	}
}

func docs(t *testing.T, ds ...string) []policyDoc {
	t.Helper()
	var out []policyDoc
	for _, d := range ds {
		p, err := parsePolicy(d)
		require.NoError(t, err, d)
		out = append(out, p)
	}
	return out
}

func TestEvaluate(t *testing.T) {
	const secret = "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"
	tests := []struct {
		name string
		docs []string
		want decision
	}{
		{"nothing", nil, implicitDeny},
		{"allow, one statement as an object, action case-insensitive", []string{`{"Statement":{"Effect":"Allow","Action":"SecretsManager:getsecretvalue","Resource":"*"}}`}, allowed},
		{"allow by service wildcard", []string{`{"Statement":[{"Effect":"Allow","Action":["secretsmanager:*"],"Resource":["arn:aws:secretsmanager:*:*:secret:db-*"]}]}`}, allowed},
		{"another resource", []string{`{"Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:*:*:secret:other-*"}]}`}, implicitDeny},
		{"NotAction", []string{`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`}, allowed},
		{"NotResource", []string{`{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:db-*"}]}`}, implicitDeny},
		{"a deny in another document wins", []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `{"Statement":[{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`}, denied},
		{"a conditional deny", []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`}, conditional},
		{"a conditional allow", []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/a":"b"}}}]}`}, conditional},
		{"a policy variable", []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}-*"}]}`}, conditional},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(docs(t, tt.docs...), "secretsmanager:GetSecretValue", secret))
		})
	}
}

func TestJudgeTrust(t *testing.T) {
	tests := []struct {
		name, doc string
		status    Status
		message   string
	}{
		{"ecs tasks", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, OK, "trusts ecs-tasks.amazonaws.com"},
		{"among other services, with the recommended conditions", `{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}]}`, OK, "under conditions"},
		{"sts wildcard", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:*"}]}`, OK, "trusts"},
		{"IRSA only", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:shop:web"}}}]}`, Fail, "trusts only the EKS OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
		{"IRSA and ECS tasks", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity"},{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, OK, "trusts ecs-tasks.amazonaws.com"},
		{"an account", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`, Fail, "lets arn:aws:iam::1:root assume it"},
		{"denied", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, Fail, "denies ecs-tasks.amazonaws.com"},
		{"empty", `{"Statement":[]}`, Fail, "lets no one assume it"},
		{"not JSON", `%7B`, Fail, "not a policy document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := judgeTrust("web", tt.doc)
			assert.Equal(t, tt.status, r.status, r.message)
			assert.Contains(t, r.message, tt.message)
		})
	}
}

func TestParseImage(t *testing.T) {
	tests := []struct {
		in   string
		want imageRef
	}{
		{"nginx", imageRef{registry: "docker.io", repository: "nginx", tag: "latest"}},
		{"nginx:1.27", imageRef{registry: "docker.io", repository: "nginx", tag: "1.27"}},
		{"library/nginx@sha256:abc", imageRef{registry: "docker.io", repository: "library/nginx", digest: "sha256:abc"}},
		{"localhost:5000/web:2", imageRef{registry: "localhost:5000", repository: "web", tag: "2"}},
		{"ghcr.io/example/web:1@sha256:abc", imageRef{registry: "ghcr.io", repository: "example/web", tag: "1", digest: "sha256:abc"}},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.0", imageRef{registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", repository: "team/web", tag: "1.0", ecr: true, registryID: "123456789012", region: "eu-west-1"}},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web", imageRef{registry: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", repository: "web", tag: "latest", ecr: true, registryID: "123456789012", region: "us-gov-west-1"}},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1", imageRef{registry: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", repository: "web", tag: "1", ecr: true, registryID: "123456789012", region: "cn-north-1"}},
		{"12345.dkr.ecr.eu-west-1.amazonaws.com/web:1", imageRef{registry: "12345.dkr.ecr.eu-west-1.amazonaws.com", repository: "web", tag: "1"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseImage(tt.in), tt.in)
	}
}

func TestParseSecretRef(t *testing.T) {
	const sm = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf"
	tests := []struct {
		in   string
		want secretRef
	}{
		{sm, secretRef{kind: "secretsmanager", id: sm, region: "eu-west-1", account: "123456789012", partition: "aws"}},
		{sm + ":password::", secretRef{kind: "secretsmanager", id: sm, region: "eu-west-1", account: "123456789012", partition: "aws", jsonKey: "password"}},
		{sm + "::AWSPREVIOUS:", secretRef{kind: "secretsmanager", id: sm, region: "eu-west-1", account: "123456789012", partition: "aws", versionStage: "AWSPREVIOUS"}},
		{sm + ":k::v1", secretRef{kind: "secretsmanager", id: sm, region: "eu-west-1", account: "123456789012", partition: "aws", jsonKey: "k", versionID: "v1"}},
		{"arn:aws:ssm:eu-west-1:123456789012:parameter/shop/key", secretRef{kind: "ssm", id: "/shop/key", region: "eu-west-1", account: "123456789012", partition: "aws"}},
		{"arn:aws:ssm:eu-west-1:123456789012:parameter/key", secretRef{kind: "ssm", id: "key", region: "eu-west-1", account: "123456789012", partition: "aws"}},
		{"/shop/key", secretRef{kind: "ssm", id: "/shop/key"}},
		{"key", secretRef{kind: "ssm", id: "key"}},
		{"/aws/reference/secretsmanager/shop/db", secretRef{kind: "secretsmanager", id: "shop/db"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseSecretRef(tt.in), tt.in)
	}
}

// TestWildcardManyStars: a pattern of many stars that does not match is answered at once.
func TestWildcardManyStars(t *testing.T) {
	pattern := strings.Repeat("a*", 200) + "b"
	s := strings.Repeat("a", 5000)
	assert.False(t, wildcard(pattern, s))
	assert.True(t, wildcard(pattern, s+"b"))
}

// FuzzReferences: the references a task definition holds (images, secret references, ARNs) and
// the policy documents IAM returns are read without a panic, and wildcard agrees with itself.
func FuzzReferences(f *testing.F) {
	for _, s := range []string{"nginx", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1@sha256:ab", "localhost:5000/a:b",
		"arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf:k:AWSCURRENT:v", "arn:aws:ssm:eu-west-1:1:parameter/a/b", "/aws/reference/secretsmanager/x",
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `{"Statement":[{"Effect":"Deny","NotAction":["a:*"],"NotResource":"${x}","Principal":"*"}]}`, "@:/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseImage(s)
		_ = parseSecretRef(s)
		if a, ok := parseARN(s); ok {
			_, _ = roleName(a)
		}
		_ = placeholder(s)
		_ = judgeTrust("r", s)
		if d, err := parsePolicy(s); err == nil {
			_ = evaluate([]policyDoc{d}, "secretsmanager:GetSecretValue", s)
		}
		assert.True(t, wildcard(s, s) || strings.ContainsAny(s, "*?"), "%q matches itself", s)
		assert.True(t, wildcard("*", s))
	})
}
