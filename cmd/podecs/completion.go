package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionShells are the shells `podecs completion` writes scripts for.
var completionShells = []string{"bash", "zsh", "fish"}

// bashCompletion is urfave/cli's bash autocomplete script (autocomplete/bash_autocomplete) for the
// program PROG: bash asks the program itself for the words, with --generate-bash-completion.
const bashCompletion = `# bash completion for PROG. Load it in the current shell with
#   source <(PROG completion bash)
# or install it as /etc/bash_completion.d/PROG. It uses the bash-completion package.

_PROG_init_completion() {
  COMPREPLY=()
  _get_comp_words_by_ref "$@" cur prev words cword
}

_PROG_bash_autocomplete() {
  if [[ "${COMP_WORDS[0]}" != "source" ]]; then
    local cur opts base words
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    if declare -F _init_completion >/dev/null 2>&1; then
      _init_completion -n "=:" || return
    else
      _PROG_init_completion -n "=:" || return
    fi
    words=("${words[@]:0:$cword}")
    if [[ "$cur" == "-"* ]]; then
      requestComp="${words[*]} ${cur} --generate-bash-completion"
    else
      requestComp="${words[*]} --generate-bash-completion"
    fi
    opts=$(eval "${requestComp}" 2>/dev/null)
    COMPREPLY=($(compgen -W "${opts}" -- ${cur}))
    return 0
  fi
}

complete -o bashdefault -o default -o nospace -F _PROG_bash_autocomplete PROG
`

// zshCompletion is urfave/cli's zsh autocomplete script (autocomplete/zsh_autocomplete) for PROG.
const zshCompletion = `#compdef PROG
# zsh completion for PROG. Load it after compinit, e.g. in ~/.zshrc:
#   source <(PROG completion zsh)

_PROG_zsh_autocomplete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi

  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}

compdef _PROG_zsh_autocomplete PROG
`

func completionCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		UsageText: "podecs completion bash|zsh|fish",
		Description: "bash:  source <(podecs completion bash)   (needs the bash-completion package)\n" +
			"zsh:   source <(podecs completion zsh)    (after compinit)\n" +
			"fish:  podecs completion fish > ~/.config/fish/completions/podecs.fish",
		Flags: outputFlags(),
		BashComplete: func(c *cli.Context) {
			if c.NArg() == 0 {
				fmt.Fprintln(c.App.Writer, strings.Join(completionShells, "\n"))
			}
		},
		Action: func(c *cli.Context) error {
			args, err := trailingFlags(c)
			if err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
			if _, err := outputModeOf(c, s); err != nil {
				return err
			}
			if len(args) != 1 {
				return cli.Exit(fmt.Sprintf("completion takes one shell: %s", strings.Join(completionShells, ", ")), exitBadInput)
			}
			// A fresh app: the running one has grown help subcommands while dispatching.
			app := newApp(s)
			app.Setup()
			script, err := completionScript(app, args[0])
			if err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
			return exitOnWriteError(writeString(s.Out, script))
		},
	}
}

// completionScript returns the completion script of app (set up) for a shell.
func completionScript(app *cli.App, shell string) (string, error) {
	switch shell {
	case "bash":
		return strings.ReplaceAll(bashCompletion, "PROG", app.Name), nil
	case "zsh":
		return strings.ReplaceAll(zshCompletion, "PROG", app.Name), nil
	case "fish":
		return app.ToFishCompletion()
	default:
		return "", fmt.Errorf("no completion for shell %q: use %s", shell, strings.Join(completionShells, ", "))
	}
}

func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}
