// Command podecs translates workloads between Kubernetes and Amazon ECS.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFindings = 1 // --strict and at least one lossy or unsupported finding
	exitBadInput = 2 // bad input, a document that cannot be converted, or a failed operation
)

// streams are the I/O a command uses, injected so tests run commands in-process.
type streams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
}

func main() {
	s := streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}
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
		return ec.ExitCode()
	}
	fmt.Fprintln(s.Err, "podecs:", err)
	return exitBadInput
}

func newApp(s streams) *cli.App {
	return &cli.App{
		Name:  "podecs",
		Usage: "translate workloads between Kubernetes and Amazon ECS",
		Description: "podecs converts Kubernetes manifests (Pods and the pod templates of Deployments, StatefulSets,\n" +
			"DaemonSets, ReplicaSets, Jobs and CronJobs) into ECS task definitions and services, in the JSON\n" +
			"form the ECS API takes, and reports every field it cannot carry.",
		Reader:               s.In,
		Writer:               s.Out,
		ErrWriter:            s.Err,
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		// Paths may contain commas: -f is repeated, never split.
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(*cli.Context, error) {},
		Commands: []*cli.Command{
			convertCommand(s),
			explainCommand(s),
			registerCommand(s),
			exportCommand(s),
			diffCommand(s),
			versionCommand(s),
			completionCommand(s),
		},
	}
}
