package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// Set at link time by release builds, e.g. go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234".
// When empty, the module version and VCS revision recorded in the build info are used.
var (
	version string
	commit  string
)

// versionInfo is what `podecs version` prints.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Time is the commit time (RFC 3339) recorded by the Go toolchain.
	Time string `json:"time,omitempty"`
	// Modified is true when the binary was built from a working tree with uncommitted changes.
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// String renders the info on one line, e.g. "podecs v1.2.3 (commit abc1234, go1.26.8, linux/amd64)".
func (v versionInfo) String() string {
	details := ""
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		if v.Modified {
			c += "-dirty"
		}
		details = "commit " + c + ", "
	}
	return fmt.Sprintf("podecs %s (%s%s, %s)", v.Version, details, v.Go, v.Platform)
}

// buildVersion combines the link-time values with the build info of the binary (ok false: none).
func buildVersion(bi *debug.BuildInfo, ok bool, ldVersion, ldCommit string) versionInfo {
	v := versionInfo{Version: "devel", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if ok && bi != nil {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		v.Version = ldVersion
	}
	if ldCommit != "" {
		v.Commit = ldCommit
	}
	return v
}

func versionCommand(s streams) *cli.Command {
	var output string
	return &cli.Command{
		Name:      "version",
		Usage:     "print the podecs version, commit and Go version",
		UsageText: "podecs version [--output text|json]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Value: "text", Usage: "output `FORMAT`: text or json", Destination: &output},
		}, outputFlags()...),
		Action: func(c *cli.Context) error {
			rest, err := trailingFlags(c)
			if err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
			if _, err := outputModeOf(c, s); err != nil {
				return err
			}
			if len(rest) > 0 {
				return cli.Exit(fmt.Sprintf("version takes no arguments, got %q", rest), exitBadInput)
			}
			bi, ok := debug.ReadBuildInfo()
			v := buildVersion(bi, ok, version, commit)
			switch output {
			case "text":
				_, err = fmt.Fprintln(s.Out, v)
			case "json":
				err = writeJSON(s.Out, v)
			default:
				return cli.Exit(fmt.Sprintf("--output %q: use text or json", output), exitBadInput)
			}
			return exitOnWriteError(err)
		},
	}
}
