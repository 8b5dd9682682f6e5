package main

import (
	"encoding/json"
	"regexp"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildVersion(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "abc1234def5678901234567890abcdef12345678"},
		{Key: "vcs.time", Value: "2026-03-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append(append([]debug.BuildSetting(nil), vcs[:4]...), debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	tests := []struct {
		name       string
		bi         *debug.BuildInfo
		ok         bool
		ldV, ldC   string
		want       versionInfo
		wantString string
	}{
		{
			name:       "go install of a tagged module",
			bi:         &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			ok:         true,
			want:       versionInfo{Version: "v1.2.3", Go: "go1.26.8", Platform: platform},
			wantString: "podecs v1.2.3 (go1.26.8, " + platform + ")",
		},
		{
			name:       "build from a checkout",
			bi:         &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			ok:         true,
			want:       versionInfo{Version: "devel", Commit: "abc1234def5678901234567890abcdef12345678", Time: "2026-03-01T10:00:00Z", Go: "go1.26.8", Platform: platform},
			wantString: "podecs devel (commit abc1234, go1.26.8, " + platform + ")",
		},
		{
			name:       "uncommitted changes",
			bi:         &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: dirty},
			ok:         true,
			want:       versionInfo{Version: "devel", Commit: "abc1234def5678901234567890abcdef12345678", Time: "2026-03-01T10:00:00Z", Modified: true, Go: "go1.26.8", Platform: platform},
			wantString: "podecs devel (commit abc1234-dirty, go1.26.8, " + platform + ")",
		},
		{
			name:       "link-time values win",
			bi:         &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			ok:         true,
			ldV:        "v1.2.3",
			ldC:        "fedcba9",
			want:       versionInfo{Version: "v1.2.3", Commit: "fedcba9", Time: "2026-03-01T10:00:00Z", Go: "go1.26.8", Platform: platform},
			wantString: "podecs v1.2.3 (commit fedcba9, go1.26.8, " + platform + ")",
		},
		{
			name:       "no build info",
			ok:         false,
			ldV:        "v0.9.0",
			want:       versionInfo{Version: "v0.9.0", Go: runtime.Version(), Platform: platform},
			wantString: "podecs v0.9.0 (" + runtime.Version() + ", " + platform + ")",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildVersion(tt.bi, tt.ok, tt.ldV, tt.ldC)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantString, got.String())
		})
	}
}

func TestVersionCommand(t *testing.T) {
	platform := regexp.QuoteMeta(runtime.GOOS + "/" + runtime.GOARCH)
	code, out, errOut := runCLI(t, "", "version")
	require.Equal(t, exitOK, code, errOut)
	assert.Regexp(t, `^podecs \S+ \((commit [0-9a-f]{7}(-dirty)?, )?go\S+, `+platform+`\)\n$`, out)

	for _, args := range [][]string{{"version", "--output", "json"}, {"version", "--output=json"}} {
		code, js, errOut := runCLI(t, "", args...)
		require.Equal(t, exitOK, code, errOut)
		var v versionInfo
		require.NoError(t, json.Unmarshal([]byte(js), &v))
		assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, v.Platform)
		assert.Equal(t, runtime.Version(), v.Go)
		assert.NotEmpty(t, v.Version)
		assert.Equal(t, out, v.String()+"\n", "text and JSON agree")
	}

	code, _, errOut = runCLI(t, "", "version", "--output", "yaml")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, `--output "yaml": use text or json`)
	code, _, errOut = runCLI(t, "", "version", "extra")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "version takes no arguments")
}
