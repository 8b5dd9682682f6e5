// Command podecs translates workloads between Kubernetes and Amazon ECS.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes, the same for every command; exitCodes says what each means.
const (
	exitOK       = 0
	exitFindings = 1 // convert --strict and a lossy or unsupported finding; diff: differences; verify: warnings
	exitBadInput = 2 // a usage error, bad input, a document that cannot be converted, or a failed operation
)

// exitCodes are the exit codes of every command, with what they mean: the help text lists them
// and README.md's "Exit codes" section shows them as a table (TestExitCodeTableInReadme).
var exitCodes = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "success; `diff`: no differences"},
	{exitFindings, "`convert --strict`: at least one lossy or unsupported finding (everything is still written); " +
		"`diff`: the two sides differ; `verify`: a check warns and none fails (`--strict`: also a resource not checked)"},
	{exitBadInput, "a usage error (unknown command or flag, missing or extra argument, `--quiet` with `--verbose`); " +
		"bad input (unreadable file, malformed YAML or JSON, bad `--config`, an `explain` PATH without a rule); " +
		"a document that cannot be converted (`convert` still writes the others); " +
		"a check of `verify` or `register` that fails (`register` then changes nothing); " +
		"a failed operation (an AWS API error or timeout in `register`, `verify`, `export` or `diff --cluster`, " +
		"`register --wait` giving up)"},
}

// exitCodeList renders exitCodes for the help text: indented four spaces (a preformatted block in
// docs/cli.md and the man page), the meanings wrapped at 96 columns.
func exitCodeList() string {
	const width, indent = 96, "         "
	var b strings.Builder
	for _, e := range exitCodes {
		words := strings.Fields(strings.ReplaceAll(e.Meaning, "`", ""))
		line := fmt.Sprintf("    %-5d%s", e.Code, words[0])
		for _, w := range words[1:] {
			if len(line)+1+len(w) > width {
				b.WriteString(line + "\n")
				line = indent + w
				continue
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// streams are the I/O a command uses, injected so tests run commands in-process.
type streams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// LookupEnv tells an unset variable from an empty one (ecspresso's must_env); nil: Getenv.
	LookupEnv func(string) (string, bool)
	// Terminal says whether a writer is a terminal (nil: a character device is one).
	Terminal func(io.Writer) bool
}

func main() {
	delayFirstCollection(os.Getenv)
	s := streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv, LookupEnv: os.LookupEnv}
	os.Exit(run(os.Args, s))
}

// run executes the CLI and returns the exit code.
func run(args []string, s streams) int {
	app := newApp(s)
	err := app.Run(args)
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(s.Err, "podecs:", msg)
		}
		// urfave/cli has codes of its own (3 for an unknown help topic): keep to the table.
		if code := ec.ExitCode(); code == exitOK || code == exitFindings {
			return code
		}
		return exitBadInput
	}
	fmt.Fprintln(s.Err, "podecs:", err)
	return exitBadInput
}

func newApp(s streams) *cli.App {
	app := &cli.App{
		Name:  "podecs",
		Usage: "translate workloads between Kubernetes and Amazon ECS",
		Description: "podecs converts Kubernetes manifests (Pods and the pod templates of Deployments, StatefulSets,\n" +
			"DaemonSets, ReplicaSets, Jobs and CronJobs) into ECS task definitions and services, in the JSON\n" +
			"form the ECS API takes, and reports every field it cannot carry.\n\n" +
			"Every command writes its results to standard output and errors, findings and notes to standard\n" +
			"error; reads - as standard input wherever it takes a file; and accepts --quiet (-q: errors only),\n" +
			"--verbose (-v: each step too) and --no-color (as NO_COLOR set to anything does). Exit codes,\n" +
			"the same for every command:\n\n" +
			exitCodeList(),
		Reader:               s.In,
		Writer:               s.Out,
		ErrWriter:            s.Err,
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		// Paths may contain commas: -f is repeated, never split.
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(*cli.Context, error) {},
		OnUsageError:              usageError,
		Action:                    appAction,
		Commands: []*cli.Command{
			convertCommand(s),
			explainCommand(s),
			registerCommand(s),
			verifyCommand(s),
			exportCommand(s),
			diffCommand(s),
			versionCommand(s),
			completionCommand(s),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = usageError
	}
	return app
}

// appAction runs without a command: the help, or an error for an unknown command (urfave/cli
// would print it as a help topic and exit 3).
func appAction(c *cli.Context) error {
	if c.Args().Present() {
		return cli.Exit(fmt.Sprintf("unknown command %q (see podecs --help)", c.Args().First()), exitBadInput)
	}
	return cli.ShowAppHelp(c)
}
