package mapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// On Fargate a default capability cannot be added back after "drop ALL", but the same effect is
// reached by dropping every other default one by one.
func TestFargateDropAllAddDefault(t *testing.T) {
	sc := &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}}
	sec, fs := SecurityFromContext(sc, true, "spec.containers[0]")
	require.False(t, fs.HasErrors(), "%v", fs)
	require.NotNil(t, sec.Capabilities)
	assert.Empty(t, sec.Capabilities.Add)
	assert.NotContains(t, sec.Capabilities.Drop, "ALL")
	assert.NotContains(t, sec.Capabilities.Drop, "NET_BIND_SERVICE")
	assert.Len(t, sec.Capabilities.Drop, len(DockerDefaultCapabilities)-1)

	sc.Capabilities.Add = []corev1.Capability{"NET_ADMIN"}
	_, fs = SecurityFromContext(sc, true, "spec.containers[0]")
	assert.True(t, fs.HasErrors(), "NET_ADMIN is not a default and cannot be added on Fargate")

	sec, fs = SecurityFromContext(sc, false, "spec.containers[0]")
	assert.False(t, fs.HasErrors())
	assert.Equal(t, []string{"NET_ADMIN"}, sec.Capabilities.Add)
	assert.Equal(t, []string{"ALL"}, sec.Capabilities.Drop)
}
