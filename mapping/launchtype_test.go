package mapping

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestEC2Reasons(t *testing.T) {
	app := func(mod func(c *corev1.Container)) corev1.PodSpec {
		c := corev1.Container{Name: "app", Image: "app:1"}
		if mod != nil {
			mod(&c)
		}
		return corev1.PodSpec{Containers: []corev1.Container{c}}
	}
	gpu := corev1.ResourceList{GPUResource: resource.MustParse("1")}
	tests := []struct {
		name string
		spec corev1.PodSpec
		want []string // paths, in order
	}{
		{"nothing", app(nil), nil},
		{"host network", func() corev1.PodSpec { s := app(nil); s.HostNetwork = true; return s }(), []string{"spec.hostNetwork"}},
		{"host PID", func() corev1.PodSpec { s := app(nil); s.HostPID = true; return s }(), []string{"spec.hostPID"}},
		{"host IPC", func() corev1.PodSpec { s := app(nil); s.HostIPC = true; return s }(), []string{"spec.hostIPC"}},
		{"privileged", app(func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{Privileged: aws.Bool(true)}
		}), []string{"spec.containers[0].securityContext.privileged"}},
		{"unprivileged", app(func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{Privileged: aws.Bool(false)}
		}), nil},
		{"capabilities Fargate refuses, in any spelling", app(func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{
				Add: []corev1.Capability{"SYS_PTRACE", "cap_net_admin", "CHOWN", "NOT_A_CAP", "SYS_ADMIN"},
			}}
		}), []string{"spec.containers[0].securityContext.capabilities.add[1]", "spec.containers[0].securityContext.capabilities.add[4]"}},
		{"dropping is fine", app(func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL", "NET_ADMIN"}}}
		}), nil},
		{"GPU limit", app(func(c *corev1.Container) { c.Resources.Limits = gpu }), []string{`spec.containers[0].resources.limits["nvidia.com/gpu"]`}},
		{"GPU request", app(func(c *corev1.Container) { c.Resources.Requests = gpu }), []string{`spec.containers[0].resources.requests["nvidia.com/gpu"]`}},
		{"AMD GPUs are dropped on both launch types", app(func(c *corev1.Container) {
			c.Resources.Limits = corev1.ResourceList{"amd.com/gpu": resource.MustParse("1")}
		}), nil},
		{"host path", func() corev1.PodSpec {
			s := app(nil)
			s.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
			return s
		}(), []string{"spec.volumes[1].hostPath"}},
		{"init containers count", func() corev1.PodSpec {
			s := app(nil)
			s.InitContainers = []corev1.Container{{Name: "setup", Image: "setup:1", SecurityContext: &corev1.SecurityContext{
				Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}}}}}
			return s
		}(), []string{"spec.initContainers[0].securityContext.capabilities.add[0]"}},
		{"several reasons, each reported", func() corev1.PodSpec {
			s := app(func(c *corev1.Container) {
				c.SecurityContext = &corev1.SecurityContext{Privileged: aws.Bool(true)}
				c.Resources.Limits = gpu
			})
			s.HostNetwork = true
			return s
		}(), []string{"spec.hostNetwork", "spec.containers[0].securityContext.privileged", `spec.containers[0].resources.limits["nvidia.com/gpu"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := EC2Reasons(&tt.spec, "spec")
			var paths []string
			for _, f := range fs {
				paths = append(paths, f.Path)
				assert.Equal(t, Info, f.Level)
				assert.True(t, strings.HasPrefix(f.Message, AutoEC2+": "), f.Message)
			}
			assert.Equal(t, tt.want, paths)
		})
	}
	s := app(nil)
	s.HostNetwork = true
	assert.Equal(t, "spec.template.spec.hostNetwork", EC2Reasons(&s, "spec.template.spec")[0].Path, "paths are the workload's")
}

// Each capability is an EC2 reason exactly when the Fargate conversion refuses to add it, and a
// privileged container exactly when it refuses that: the reasons and the errors are one rule.
func TestEC2ReasonsAreTheFargateErrors(t *testing.T) {
	for _, name := range append(ECSCapabilities(), "cap_net_admin", "Sys_Ptrace", "BPF") {
		sc := &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{corev1.Capability(name)}}}
		_, fs := SecurityFromContext(sc, true, "spec.containers[0]")
		spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "c", SecurityContext: sc}}}
		assert.Equal(t, fs.HasErrors(), len(EC2Reasons(&spec, "spec")) > 0, name)
		_, ec2 := SecurityFromContext(sc, false, "spec.containers[0]")
		assert.False(t, ec2.HasErrors(), "%s is carried on EC2", name)
	}
	for _, priv := range []bool{true, false} {
		sc := &corev1.SecurityContext{Privileged: aws.Bool(priv)}
		_, fs := SecurityFromContext(sc, true, "spec.containers[0]")
		spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "c", SecurityContext: sc}}}
		assert.Equal(t, fs.HasErrors(), len(EC2Reasons(&spec, "spec")) > 0, "privileged %v", priv)
	}
}

func TestFargateRefusesCapability(t *testing.T) {
	for name, want := range map[corev1.Capability]bool{
		"NET_ADMIN": true, "CAP_SYS_ADMIN": true, " sys_time ": true,
		"SYS_PTRACE": false, "CAP_SYS_PTRACE": false, // the one Fargate adds
		"CHOWN": false, "NET_BIND_SERVICE": false, // in the default set
		"BPF": false, "": false, // unknown to ECS: dropped on both launch types
	} {
		assert.Equal(t, want, FargateRefusesCapability(name), "%q", name)
	}
}
