package mapping

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

const secTestSC = "spec.containers[0].securityContext"

func secTestLevels(fs Findings) map[string]Level {
	out := map[string]Level{}
	for _, f := range fs {
		out[f.Path] = f.Level
	}
	return out
}

func TestEffectiveSecurityContext(t *testing.T) {
	seL := &corev1.SELinuxOptions{Type: "pod_t"}
	pod := &corev1.PodSecurityContext{
		RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(3000), RunAsNonRoot: aws.Bool(true),
		SELinuxOptions: seL,
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		FSGroup:        aws.Int64(2000),
	}
	t.Run("both nil", func(t *testing.T) {
		assert.Nil(t, EffectiveSecurityContext(nil, nil))
	})
	t.Run("pod without container fields", func(t *testing.T) {
		assert.Nil(t, EffectiveSecurityContext(&corev1.PodSecurityContext{FSGroup: aws.Int64(1)}, nil))
	})
	t.Run("container only is copied", func(t *testing.T) {
		c := &corev1.SecurityContext{Privileged: aws.Bool(true)}
		got := EffectiveSecurityContext(nil, c)
		assert.Equal(t, c, got)
		assert.NotSame(t, c, got)
	})
	t.Run("pod fields inherited", func(t *testing.T) {
		got := EffectiveSecurityContext(pod, nil)
		require.NotNil(t, got)
		assert.Equal(t, &corev1.SecurityContext{
			RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(3000), RunAsNonRoot: aws.Bool(true),
			SELinuxOptions: &corev1.SELinuxOptions{Type: "pod_t"},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}, got)
		got.SELinuxOptions.Type = "changed"
		assert.Equal(t, "pod_t", seL.Type, "the pod context is not aliased")
	})
	t.Run("container wins", func(t *testing.T) {
		c := &corev1.SecurityContext{RunAsUser: aws.Int64(0), SELinuxOptions: &corev1.SELinuxOptions{Level: "s0"}, ReadOnlyRootFilesystem: aws.Bool(true)}
		got := EffectiveSecurityContext(pod, c)
		require.NotNil(t, got)
		assert.Equal(t, int64(0), *got.RunAsUser)
		assert.Equal(t, int64(3000), *got.RunAsGroup)
		assert.Equal(t, &corev1.SELinuxOptions{Level: "s0"}, got.SELinuxOptions)
		assert.True(t, *got.ReadOnlyRootFilesystem)
		assert.Equal(t, int64(0), *c.RunAsUser)
		assert.Nil(t, c.RunAsGroup, "the container context is not modified")
	})
}

func TestSecurityFromContext(t *testing.T) {
	localhost := corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: aws.String("k8s-nginx")}
	unmasked := corev1.UnmaskedProcMount
	def := corev1.DefaultProcMount
	tests := []struct {
		name     string
		sc       *corev1.SecurityContext
		fargate  bool
		want     ContainerSecurity
		findings map[string]Level
	}{
		{name: "nil", sc: nil, want: ContainerSecurity{}, findings: map[string]Level{}},
		{name: "uid", sc: &corev1.SecurityContext{RunAsUser: aws.Int64(1000)}, want: ContainerSecurity{User: aws.String("1000")}, findings: map[string]Level{}},
		{name: "uid and gid", sc: &corev1.SecurityContext{RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(0)}, want: ContainerSecurity{User: aws.String("1000:0")}, findings: map[string]Level{}},
		{name: "root uid", sc: &corev1.SecurityContext{RunAsUser: aws.Int64(0)}, want: ContainerSecurity{User: aws.String("0")}, findings: map[string]Level{}},
		{
			name: "gid alone", sc: &corev1.SecurityContext{RunAsGroup: aws.Int64(3000)},
			findings: map[string]Level{secTestSC + ".runAsGroup": Lossy},
		},
		{
			name: "negative uid", sc: &corev1.SecurityContext{RunAsUser: aws.Int64(-1)},
			findings: map[string]Level{secTestSC + ".runAsUser": Error},
		},
		{
			name: "runAsNonRoot without user", sc: &corev1.SecurityContext{RunAsNonRoot: aws.Bool(true)},
			findings: map[string]Level{secTestSC + ".runAsNonRoot": Lossy},
		},
		{
			name: "runAsNonRoot with root", sc: &corev1.SecurityContext{RunAsNonRoot: aws.Bool(true), RunAsUser: aws.Int64(0)},
			want:     ContainerSecurity{User: aws.String("0")},
			findings: map[string]Level{secTestSC + ".runAsNonRoot": Lossy},
		},
		{
			name: "runAsNonRoot with a user", sc: &corev1.SecurityContext{RunAsNonRoot: aws.Bool(true), RunAsUser: aws.Int64(1)},
			want: ContainerSecurity{User: aws.String("1")}, findings: map[string]Level{},
		},
		{
			name: "readonly root and privileged on EC2",
			sc:   &corev1.SecurityContext{ReadOnlyRootFilesystem: aws.Bool(true), Privileged: aws.Bool(true)},
			want: ContainerSecurity{ReadonlyRootFilesystem: aws.Bool(true), Privileged: aws.Bool(true)}, findings: map[string]Level{},
		},
		{
			name: "privileged on Fargate", fargate: true,
			sc:       &corev1.SecurityContext{ReadOnlyRootFilesystem: aws.Bool(false), Privileged: aws.Bool(true)},
			want:     ContainerSecurity{ReadonlyRootFilesystem: aws.Bool(false)},
			findings: map[string]Level{secTestSC + ".privileged": Error},
		},
		{
			name: "unprivileged on Fargate is left out", fargate: true,
			sc: &corev1.SecurityContext{Privileged: aws.Bool(false)}, findings: map[string]Level{},
		},
		{
			name: "capabilities normalised, sorted, deduplicated",
			sc: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{
				Add:  []corev1.Capability{"NET_ADMIN", "cap_sys_time", "CAP_NET_ADMIN", "BPF"},
				Drop: []corev1.Capability{"ALL"},
			}},
			want:     ContainerSecurity{Capabilities: &types.KernelCapabilities{Add: []string{"NET_ADMIN", "SYS_TIME"}, Drop: []string{"ALL"}}},
			findings: map[string]Level{secTestSC + ".capabilities.add[3]": Unsupported},
		},
		{
			name: "only unknown capabilities", sc: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"PERFMON"}}},
			findings: map[string]Level{secTestSC + ".capabilities.drop[0]": Unsupported},
		},
		{
			name: "Fargate adds only SYS_PTRACE", fargate: true,
			sc: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{
				Add:  []corev1.Capability{"SYS_PTRACE", "NET_ADMIN"},
				Drop: []corev1.Capability{"NET_RAW", "ALL"},
			}},
			want:     ContainerSecurity{Capabilities: &types.KernelCapabilities{Add: []string{"SYS_PTRACE"}, Drop: []string{"ALL", "NET_RAW"}}},
			findings: map[string]Level{secTestSC + ".capabilities.add[1]": Error},
		},
		{
			name: "EC2 docker security options",
			sc: &corev1.SecurityContext{
				AllowPrivilegeEscalation: aws.Bool(false),
				SELinuxOptions:           &corev1.SELinuxOptions{User: "system_u", Type: "spc_t", Level: "s0:c1,c2"},
				AppArmorProfile:          &localhost,
			},
			want: ContainerSecurity{DockerSecurityOptions: []string{
				"no-new-privileges", "label:user:system_u", "label:type:spc_t", "label:level:s0:c1,c2", "apparmor:k8s-nginx",
			}},
			findings: map[string]Level{secTestSC + ".seLinuxOptions": Info, secTestSC + ".appArmorProfile": Info},
		},
		{
			name: "Fargate has no docker security options", fargate: true,
			sc: &corev1.SecurityContext{
				AllowPrivilegeEscalation: aws.Bool(false),
				SELinuxOptions:           &corev1.SELinuxOptions{Type: "spc_t"},
				AppArmorProfile:          &localhost,
			},
			findings: map[string]Level{
				secTestSC + ".allowPrivilegeEscalation": Unsupported,
				secTestSC + ".seLinuxOptions":           Unsupported,
				secTestSC + ".appArmorProfile":          Unsupported,
			},
		},
		{
			name: "allowPrivilegeEscalation true is the default",
			sc:   &corev1.SecurityContext{AllowPrivilegeEscalation: aws.Bool(true)}, findings: map[string]Level{},
		},
		{
			name: "apparmor unconfined and runtime default",
			sc:   &corev1.SecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}},
			want: ContainerSecurity{DockerSecurityOptions: []string{"apparmor:unconfined"}}, findings: map[string]Level{},
		},
		{
			name: "apparmor runtime default needs nothing", fargate: true,
			sc: &corev1.SecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}}, findings: map[string]Level{},
		},
		{
			name:     "apparmor localhost without a name",
			sc:       &corev1.SecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost}},
			findings: map[string]Level{secTestSC + ".appArmorProfile": Unsupported},
		},
		{
			// The runtime's default profile is what ECS applies on both launch types: nothing is lost.
			name:     "seccomp runtime default",
			sc:       &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			findings: map[string]Level{secTestSC + ".seccompProfile": Info},
		},
		{
			name:     "seccomp runtime default on Fargate",
			sc:       &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			fargate:  true,
			findings: map[string]Level{secTestSC + ".seccompProfile": Info},
		},
		{
			name:     "seccomp localhost",
			sc:       &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: aws.String("profiles/audit.json")}},
			findings: map[string]Level{secTestSC + ".seccompProfile": Unsupported},
		},
		{
			name:     "seccomp unconfined",
			sc:       &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}},
			findings: map[string]Level{secTestSC + ".seccompProfile": Unsupported},
		},
		{
			name: "procMount and windowsOptions",
			sc: &corev1.SecurityContext{
				ProcMount:      &unmasked,
				WindowsOptions: &corev1.WindowsSecurityContextOptions{GMSACredentialSpecName: aws.String("webapp")},
			},
			findings: map[string]Level{secTestSC + ".procMount": Unsupported, secTestSC + ".windowsOptions": Unsupported},
		},
		{name: "default procMount", sc: &corev1.SecurityContext{ProcMount: &def}, findings: map[string]Level{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := SecurityFromContext(tt.sc, tt.fargate, "spec.containers[0]")
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.findings, secTestLevels(fs), "%v", fs)
		})
	}
}

func TestPodSecurityFindings(t *testing.T) {
	always := corev1.FSGroupChangeAlways
	strict := corev1.SupplementalGroupsPolicyStrict
	recursive := corev1.SELinuxChangePolicyRecursive
	assert.Nil(t, PodSecurityFindings(nil, "spec"))
	assert.Empty(t, PodSecurityFindings(&corev1.PodSecurityContext{
		RunAsUser: aws.Int64(1), Sysctls: []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}},
	}, "spec"), "container-level fields and sysctls are handled elsewhere")
	fs := PodSecurityFindings(&corev1.PodSecurityContext{
		FSGroup: aws.Int64(2000), FSGroupChangePolicy: &always, SupplementalGroups: []int64{4, 5},
		SupplementalGroupsPolicy: &strict, SELinuxChangePolicy: &recursive,
	}, "spec.template.spec")
	const p = "spec.template.spec.securityContext."
	assert.Equal(t, map[string]Level{
		p + "fsGroup":                  Unsupported,
		p + "fsGroupChangePolicy":      Unsupported,
		p + "supplementalGroups":       Unsupported,
		p + "supplementalGroupsPolicy": Unsupported,
		p + "seLinuxChangePolicy":      Unsupported,
	}, secTestLevels(fs))
}

func TestContextFromSecurity(t *testing.T) {
	const cd = "containerDefinitions[0]"
	tests := []struct {
		name     string
		user     *string
		priv, ro *bool
		lp       *types.LinuxParameters
		opts     []string
		want     *corev1.SecurityContext
		findings map[string]Level
	}{
		{name: "nothing", findings: map[string]Level{}},
		{name: "empty user and other linux parameters", user: aws.String(""), lp: &types.LinuxParameters{InitProcessEnabled: aws.Bool(true), Capabilities: &types.KernelCapabilities{}}, findings: map[string]Level{}},
		{name: "uid", user: aws.String("1000"), want: &corev1.SecurityContext{RunAsUser: aws.Int64(1000)}, findings: map[string]Level{}},
		{name: "uid:gid", user: aws.String("1000:2000"), want: &corev1.SecurityContext{RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(2000)}, findings: map[string]Level{}},
		{name: "user name", user: aws.String("nginx"), findings: map[string]Level{cd + ".user": Lossy}},
		{name: "user and group names", user: aws.String("www-data:www-data"), findings: map[string]Level{cd + ".user": Lossy}},
		{name: "name with gid", user: aws.String("app:1000"), findings: map[string]Level{cd + ".user": Lossy}},
		{name: "uid with group name", user: aws.String("1000:staff"), want: &corev1.SecurityContext{RunAsUser: aws.Int64(1000)}, findings: map[string]Level{cd + ".user": Lossy}},
		{name: "negative uid", user: aws.String("-1"), findings: map[string]Level{cd + ".user": Lossy}},
		{
			name: "flags and capabilities", priv: aws.Bool(false), ro: aws.Bool(true),
			lp:       &types.LinuxParameters{Capabilities: &types.KernelCapabilities{Add: []string{"SYS_PTRACE"}, Drop: []string{"ALL"}}},
			want:     &corev1.SecurityContext{Privileged: aws.Bool(false), ReadOnlyRootFilesystem: aws.Bool(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}, Drop: []corev1.Capability{"ALL"}}},
			findings: map[string]Level{},
		},
		{
			name: "docker security options",
			opts: []string{"no-new-privileges", "label:role:r", "label:level:s0:c1", "apparmor:custom"},
			want: &corev1.SecurityContext{
				AllowPrivilegeEscalation: aws.Bool(false),
				SELinuxOptions:           &corev1.SELinuxOptions{Role: "r", Level: "s0:c1"},
				AppArmorProfile:          &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: aws.String("custom")},
			},
			findings: map[string]Level{},
		},
		{
			name: "apparmor unconfined", opts: []string{"apparmor:unconfined"},
			want:     &corev1.SecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}},
			findings: map[string]Level{},
		},
		{
			name:     "options without an equivalent",
			opts:     []string{"label:disable", "credentialspec:file://gmsa.json", "label:type:"},
			findings: map[string]Level{cd + ".dockerSecurityOptions[0]": Unsupported, cd + ".dockerSecurityOptions[1]": Unsupported, cd + ".dockerSecurityOptions[2]": Unsupported},
		},
		{
			name: "SELinux key twice", opts: []string{"label:type:a_t", "label:type:b_t"},
			want:     &corev1.SecurityContext{SELinuxOptions: &corev1.SELinuxOptions{Type: "b_t"}},
			findings: map[string]Level{cd + ".dockerSecurityOptions[1]": Lossy},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := ContextFromSecurity(tt.user, tt.priv, tt.ro, tt.lp, tt.opts, cd)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.findings, secTestLevels(fs), "%v", fs)
		})
	}
}

func TestParseAndFormatUser(t *testing.T) {
	tests := []struct {
		in       string
		uid, gid *int64
		ok       bool
	}{
		{"0", aws.Int64(0), nil, true},
		{"1000", aws.Int64(1000), nil, true},
		{"1000:2000", aws.Int64(1000), aws.Int64(2000), true},
		{"2147483648:4294967295", aws.Int64(2147483648), aws.Int64(4294967295), true},
		{"", nil, nil, false},
		{"nginx", nil, nil, false},
		{"www-data:www-data", nil, nil, false},
		{"1000:", nil, nil, false},
		{":1000", nil, nil, false},
		{"-1", nil, nil, false},
		{"+1", nil, nil, false},
		{"1:2:3", nil, nil, false},
		{"99999999999999999999", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			uid, gid, ok := ParseUser(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.uid, uid)
			assert.Equal(t, tt.gid, gid)
			if ok {
				assert.Equal(t, tt.in, aws.ToString(FormatUser(uid, gid)))
			}
		})
	}
	assert.Nil(t, FormatUser(nil, aws.Int64(5)), "a group alone cannot be written")
	assert.Nil(t, FormatUser(nil, nil))
}

func TestECSCapabilities(t *testing.T) {
	caps := ECSCapabilities()
	assert.Len(t, caps, 38)
	assert.Contains(t, caps, FargateAddableCapability)
	caps[0] = "changed"
	assert.Equal(t, "ALL", ECSCapabilities()[0], "callers cannot change the list")
}

// Security contexts that ECS on EC2 can express survive K8s -> ECS -> K8s.
func TestSecurityRoundTripFromKubernetes(t *testing.T) {
	tests := map[string]*corev1.SecurityContext{
		"user":       {RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(1000)},
		"flags":      {Privileged: aws.Bool(false), ReadOnlyRootFilesystem: aws.Bool(true), AllowPrivilegeEscalation: aws.Bool(false)},
		"caps":       {Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE", "SYS_TIME"}, Drop: []corev1.Capability{"ALL"}}},
		"selinux":    {SELinuxOptions: &corev1.SELinuxOptions{User: "u", Role: "r", Type: "t", Level: "s0:c1,c2"}},
		"apparmor":   {AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: aws.String("p")}},
		"unconfined": {AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}},
		"all": {
			RunAsUser: aws.Int64(0), Privileged: aws.Bool(true), ReadOnlyRootFilesystem: aws.Bool(false),
			AllowPrivilegeEscalation: aws.Bool(false), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"ALL"}},
			SELinuxOptions: &corev1.SELinuxOptions{Type: "spc_t"},
		},
	}
	for name, sc := range tests {
		t.Run(name, func(t *testing.T) {
			cs, fs := SecurityFromContext(sc, false, "spec.containers[0]")
			for _, f := range fs {
				assert.Equal(t, Info, f.Level, "%v", f)
			}
			var lp *types.LinuxParameters
			if cs.Capabilities != nil {
				lp = &types.LinuxParameters{Capabilities: cs.Capabilities}
			}
			back, fs := ContextFromSecurity(cs.User, cs.Privileged, cs.ReadonlyRootFilesystem, lp, cs.DockerSecurityOptions, "containerDefinitions[0]")
			assert.Empty(t, fs)
			assert.Equal(t, sc, back)
		})
	}
}

// ECS fields that Kubernetes can express survive ECS -> K8s -> ECS (EC2).
func TestSecurityRoundTripFromECS(t *testing.T) {
	tests := map[string]ContainerSecurity{
		"user":  {User: aws.String("33:33")},
		"flags": {Privileged: aws.Bool(true), ReadonlyRootFilesystem: aws.Bool(false)},
		"caps":  {Capabilities: &types.KernelCapabilities{Add: []string{"SYS_PTRACE"}, Drop: []string{"NET_RAW", "SETUID"}}},
		"options": {DockerSecurityOptions: []string{
			"no-new-privileges", "label:user:u", "label:role:r", "label:type:t", "label:level:s0", "apparmor:docker-default",
		}},
	}
	for name, cs := range tests {
		t.Run(name, func(t *testing.T) {
			var lp *types.LinuxParameters
			if cs.Capabilities != nil {
				lp = &types.LinuxParameters{Capabilities: cs.Capabilities}
			}
			sc, fs := ContextFromSecurity(cs.User, cs.Privileged, cs.ReadonlyRootFilesystem, lp, cs.DockerSecurityOptions, "containerDefinitions[0]")
			require.NotNil(t, sc)
			assert.Empty(t, fs)
			back, _ := SecurityFromContext(sc, false, "spec.containers[0]")
			assert.Equal(t, cs, back)
		})
	}
}
