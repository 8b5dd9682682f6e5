package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompletionScripts(t *testing.T) {
	tests := []struct {
		shell string
		want  []string
	}{
		{"bash", []string{
			"_podecs_bash_autocomplete() {",
			"--generate-bash-completion",
			"complete -o bashdefault -o default -o nospace -F _podecs_bash_autocomplete podecs\n",
		}},
		{"zsh", []string{
			"#compdef podecs\n",
			"_podecs_zsh_autocomplete() {",
			"--generate-bash-completion",
			"compdef _podecs_zsh_autocomplete podecs\n",
		}},
		{"fish", []string{
			"# podecs fish shell completion",
			"if contains -- $i " + strings.Join(commandNames(), " ") + "\n",
			"complete -r -c podecs -n '__fish_podecs_no_subcommand' -a 'convert' -d ",
			"complete -r -c podecs -n '__fish_podecs_no_subcommand' -a 'explain' -d ",
			"complete -r -c podecs -n '__fish_podecs_no_subcommand' -a 'completion' -d ",
			"complete -c podecs -n '__fish_seen_subcommand_from explain' -f -l output -r -d ",
			"complete -c podecs -n '__fish_seen_subcommand_from convert' -f -l launch-type -r -d ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "completion", tt.shell)
			require.Equal(t, exitOK, code, errOut)
			assert.Empty(t, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.NotContains(t, out, "PROG")
			if tt.shell == "bash" || tt.shell == "zsh" {
				if sh, err := exec.LookPath(tt.shell); err == nil {
					// -n parses the script without running it.
					cmd := exec.Command(sh, "-n")
					cmd.Stdin = strings.NewReader(out)
					b, err := cmd.CombinedOutput()
					assert.NoError(t, err, "%s", b)
				}
			}
		})
	}
}

func TestCompletionBadUsage(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, "bash, zsh, fish")
		})
	}
}

// The scripts ask podecs for the words with --generate-bash-completion; these are the answers.
// urfave/cli looks at os.Args to tell a flag being completed from a word, so the test sets them.
func TestShellCompletionWords(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--generate-bash-completion"}, []string{"convert", "explain", "version", "completion"}},
		{[]string{"completion", "--generate-bash-completion"}, []string{"bash", "zsh", "fish"}},
		{[]string{"explain", "--generate-bash-completion"}, []string{"spec.containers[].image", "spec.replicas"}},
		{[]string{"convert", "--launch", "--generate-bash-completion"}, []string{"--launch-type"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			saved := os.Args
			os.Args = append([]string{"podecs"}, tt.args...)
			defer func() { os.Args = saved }()
			code, out, _ := runCLI(t, "", tt.args...)
			require.Equal(t, exitOK, code)
			words := strings.Fields(out)
			for _, w := range tt.want {
				assert.Contains(t, words, w)
			}
		})
	}
}

// commandNames lists the app's commands in the order the fish script names them.
func commandNames() []string {
	var names []string
	for _, c := range newApp(streams{}).Commands {
		names = append(names, c.Name)
	}
	return names
}
