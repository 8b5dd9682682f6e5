package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/ecsapi"
)

// The conventions every command shares: --quiet, --verbose and --no-color (with NO_COLOR) defined
// once, flags after the arguments, usage errors on standard error with exit code 2.

// The usage strings of the shared flags, the same for every command.
const (
	quietUsage   = "print only errors on standard error: no findings, notes, progress bar or summary"
	verboseUsage = "also print each step on standard error: files read and written, AWS API calls made"
	noColorUsage = "no colours in the output (also: NO_COLOR set to anything, or not a terminal)"
)

// outputFlags are --quiet/-q, --verbose/-v and --no-color, for every command.
func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: quietUsage},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: verboseUsage},
		&cli.BoolFlag{Name: "no-color", Usage: noColorUsage},
	}
}

// outputMode is how much a command prints on standard error besides errors, and whether it may
// use colour.
type outputMode struct {
	Quiet   bool
	Verbose bool
}

// outputModeOf reads the shared flags of a command; --quiet with --verbose is a usage error.
func outputModeOf(c *cli.Context, s streams) (outputMode, error) {
	m := outputMode{Quiet: c.Bool("quiet"), Verbose: c.Bool("verbose")}
	if m.Quiet && m.Verbose {
		return m, cli.Exit("--quiet and --verbose cannot be used together", exitBadInput)
	}
	return m, nil
}

// noColor is true with --no-color or a non-empty NO_COLOR.
func noColor(flag bool, s streams) bool {
	return flag || getenv(s, "NO_COLOR") != ""
}

func getenv(s streams, k string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(k)
}

// terminal reports whether w is a terminal, as the streams see it.
func (s streams) terminal(w io.Writer) bool {
	if s.Terminal != nil {
		return s.Terminal(w)
	}
	return isTerminal(w)
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// trailingFlags parses the flags that follow the arguments: urfave/cli stops at the first
// argument, so `podecs diff a b --format json` would otherwise read "--format" as a path. "--"
// ends the flags; "-" is an argument (standard input).
func trailingFlags(c *cli.Context) ([]string, error) {
	args := c.Args().Slice()
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := commandFlag(c, name)
		if f == nil {
			return nil, fmt.Errorf("flag provided but not defined: %s", a)
		}
		if _, isBool := f.(*cli.BoolFlag); isBool && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, fmt.Errorf("flag needs an argument: %s", a)
			}
			i++
			value = args[i]
		}
		// Set through the first name: urfave/cli keeps one value per alias and reads the first.
		if err := c.Set(f.Names()[0], value); err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
	}
	return rest, nil
}

func commandFlag(c *cli.Context, name string) cli.Flag {
	for _, f := range c.Command.Flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// usageError turns a flag parsing error into exit code 2 with the message on standard error,
// instead of urfave/cli's help text on standard output.
func usageError(c *cli.Context, err error, _ bool) error {
	help := "podecs --help"
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		help = "podecs " + c.Command.Name + " --help"
	}
	return cli.Exit(fmt.Sprintf("%v (see %s)", err, help), exitBadInput)
}

// requirePaths is the check of a repeatable -f: urfave/cli's own check of a required flag prints
// the help text on standard output.
func requirePaths(paths []string) error {
	if len(paths) == 0 {
		return cli.Exit("-f PATH is required: a file, a directory, or - for standard input", exitBadInput)
	}
	return nil
}

// inputName is how messages name an input path: "<stdin>" for -.
func inputName(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}

// stdinOnce checks that --config and the inputs do not both read standard input.
func stdinOnce(config string, paths ...string) error {
	if config == "-" && slices.Contains(paths, "-") {
		return cli.Exit("--config - and an input - both read standard input: give one of them as a file", exitBadInput)
	}
	return nil
}

// verboseECS prints each ECS API call on standard error before making it (--verbose).
type verboseECS struct {
	ecsapi.ECS
	w io.Writer
}

func (v verboseECS) log(op string, detail ...string) { logCall(v.w, "ecs", op, detail...) }

// logCall prints an AWS API call as "service: Operation key=value …", leaving out empty values.
func logCall(w io.Writer, service, op string, detail ...string) {
	var kept []string
	for i := 0; i+1 < len(detail); i += 2 {
		if detail[i+1] != "" {
			kept = append(kept, detail[i]+"="+detail[i+1])
		}
	}
	fmt.Fprintln(w, strings.TrimSpace(service+": "+op+" "+strings.Join(kept, " ")))
}

func (v verboseECS) ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error) {
	v.log("ListTaskDefinitions", "familyPrefix", aws.ToString(in.FamilyPrefix), "page", nextPage(in.NextToken))
	return v.ECS.ListTaskDefinitions(ctx, in, optFns...)
}

func (v verboseECS) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	v.log("DescribeTaskDefinition", "taskDefinition", aws.ToString(in.TaskDefinition))
	return v.ECS.DescribeTaskDefinition(ctx, in, optFns...)
}

func (v verboseECS) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	v.log("RegisterTaskDefinition", "family", aws.ToString(in.Family))
	return v.ECS.RegisterTaskDefinition(ctx, in, optFns...)
}

func (v verboseECS) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	v.log("DescribeClusters", "clusters", strings.Join(in.Clusters, ","))
	return v.ECS.DescribeClusters(ctx, in, optFns...)
}

func (v verboseECS) CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, optFns ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error) {
	v.log("CreateCluster", "clusterName", aws.ToString(in.ClusterName))
	return v.ECS.CreateCluster(ctx, in, optFns...)
}

func (v verboseECS) ListServices(ctx context.Context, in *ecs.ListServicesInput, optFns ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	v.log("ListServices", "cluster", aws.ToString(in.Cluster), "page", nextPage(in.NextToken))
	return v.ECS.ListServices(ctx, in, optFns...)
}

func (v verboseECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	v.log("DescribeServices", "cluster", aws.ToString(in.Cluster), "services", strings.Join(in.Services, ","))
	return v.ECS.DescribeServices(ctx, in, optFns...)
}

func (v verboseECS) CreateService(ctx context.Context, in *ecs.CreateServiceInput, optFns ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error) {
	v.log("CreateService", "cluster", aws.ToString(in.Cluster), "service", aws.ToString(in.ServiceName), "taskDefinition", aws.ToString(in.TaskDefinition))
	return v.ECS.CreateService(ctx, in, optFns...)
}

func (v verboseECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	v.log("UpdateService", "cluster", aws.ToString(in.Cluster), "service", aws.ToString(in.Service), "taskDefinition", aws.ToString(in.TaskDefinition))
	return v.ECS.UpdateService(ctx, in, optFns...)
}

// nextPage marks a call for a further page without printing its token.
func nextPage(token *string) string {
	if aws.ToString(token) == "" {
		return ""
	}
	return "next"
}

// withVerbose wraps api so that each call is printed on w when verbose is set.
func withVerbose(api ecsapi.ECS, verbose bool, w io.Writer) ecsapi.ECS {
	if !verbose {
		return api
	}
	return verboseECS{ECS: api, w: w}
}
