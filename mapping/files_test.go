package mapping

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFileMode(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	g := int64(1000)
	assert.Equal(t, int32(0o644), FileMode(nil, nil, nil), "the API server's default")
	assert.Equal(t, int32(0o400), FileMode(nil, i32(0o400), nil), "defaultMode")
	assert.Equal(t, int32(0o600), FileMode(i32(0o600), i32(0o400), nil), "the item's mode wins")
	assert.Equal(t, int32(0o440), FileMode(nil, i32(0o400), &g), "fsGroup adds group read")
	assert.Equal(t, int32(0o644), FileMode(nil, nil, &g))
	assert.Equal(t, int32(0o755), FileDirMode(nil))
	assert.Equal(t, int32(0o2755), FileDirMode(&g))
	assert.NoError(t, CheckFileMode(0o777))
	assert.NoError(t, CheckFileMode(0))
	assert.Error(t, CheckFileMode(0o1000))
	assert.Error(t, CheckFileMode(-1))
}

func TestCheckFilePath(t *testing.T) {
	for _, ok := range []string{"a", "a/b/c.conf", "dir with space/it's", "..a", "a..", "./a"} {
		assert.NoError(t, CheckFilePath(ok), ok)
	}
	for _, bad := range []string{"", "/etc/passwd", "..", "../a", "a/../../b", "a/..", ".", "./"} {
		assert.Error(t, CheckFilePath(bad), bad)
	}
	assert.Equal(t, "a/b", CleanFilePath("./a//b/"))
}

func TestDownwardMapFile(t *testing.T) {
	assert.Equal(t, "", DownwardMapFile(nil))
	assert.Equal(t, "app=\"web\"\ntier=\"front \\\"end\\\"\\n\"", DownwardMapFile(map[string]string{"tier": "front \"end\"\n", "app": "web"}))
}

func TestFileVarName(t *testing.T) {
	taken := map[string]bool{}
	assert.Equal(t, "CONFIGMAP_NGINX_NGINX_CONF", FileVarName("CONFIGMAP", "nginx", "nginx.conf", taken))
	assert.Equal(t, "CONFIGMAP_NGINX_NGINX_CONF_2", FileVarName("CONFIGMAP", "nginx", "nginx-conf", taken), "a name taken gets a suffix")
	assert.Equal(t, "SECRET_A_B_TLS_KEY", FileVarName("SECRET", "a.b", "tls.key", taken))
	long := FileVarName("DOWNWARD", strings.Repeat("v", 63), strings.Repeat("p/", 100), taken)
	assert.LessOrEqual(t, len(long), 100)
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "/podecs/conf/nginx.conf", ShellQuote("/podecs/conf/nginx.conf"))
	assert.Equal(t, `'/podecs/a b/it'\''s'`, ShellQuote("/podecs/a b/it's"))
	assert.Equal(t, `'$HOME'`, ShellQuote("$HOME"))
	assert.Equal(t, `''`, ShellQuote(""))
}

func TestNestedDirs(t *testing.T) {
	assert.Equal(t, []string{"a", "a/b", "c"}, NestedDirs([]string{"a/b/x", "a/y", "c/z", "top"}))
	assert.Empty(t, NestedDirs([]string{"x", "y"}))
}

func TestFilesScript(t *testing.T) {
	g := int64(101)
	got := FilesScript([]ScriptDir{
		{Mount: "/podecs/conf", Comment: "volume conf: ConfigMap nginx", Dirs: []string{"a", "a/b"}, Files: []ScriptFile{
			{Path: "a/b/c.conf", Mode: 0o644, Var: "CONFIGMAP_NGINX_C"},
			{Path: "logo.png", Mode: 0o600, Var: "CONFIGMAP_NGINX_LOGO", Base64: true},
		}},
		{Mount: "/podecs/tls", Comment: "volume tls: Secret tls", FSGroup: &g, Dirs: []string{"d"}, Files: []ScriptFile{
			{Path: "d/tls key", Mode: 0o440, Var: "SECRET_TLS_KEY"},
		}},
	})
	assert.Equal(t, `set -eu
umask 022
# volume conf: ConfigMap nginx
mkdir -p /podecs/conf/a/b
printf %s "$CONFIGMAP_NGINX_C" >/podecs/conf/a/b/c.conf
printf %s "$CONFIGMAP_NGINX_LOGO" | base64 -d >/podecs/conf/logo.png
chmod 600 /podecs/conf/logo.png
# volume tls: Secret tls
mkdir -p /podecs/tls/d
printf %s "$SECRET_TLS_KEY" >'/podecs/tls/d/tls key'
chmod 440 '/podecs/tls/d/tls key'
chgrp -R 101 /podecs/tls
chmod 2755 /podecs/tls/d
`, got)
}
