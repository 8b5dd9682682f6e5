package mapping

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Files: configMap, secret, projected and downwardAPI volumes. ECS cannot mount objects as files,
// so podecs writes the files the kubelet would project into a task volume, with a small init
// container that runs the POSIX shell script FilesScript renders. These are the Kubernetes rules
// that script reproduces: which paths, which modes, which directories.

// DefaultFileMode is the mode of a projected file when neither the item nor the volume sets one:
// the API server defaults defaultMode to 0644.
const DefaultFileMode int32 = 0o644

// fileDirMode is the mode of the directories the kubelet creates for nested item paths
// (os.ModePerm under the kubelet's umask 022).
const fileDirMode int32 = 0o755

// DefaultFilesImage is the files container's image: the official busybox image from the ECR
// Public mirror of Docker Hub's library (no Docker Hub pull rate limit), pinned by tag.
const DefaultFilesImage = "public.ecr.aws/docker/library/busybox:1.37.0"

// FilesCommands are the only commands the files script runs besides shell built-ins: each is a
// busybox applet, so any image with busybox (or a POSIX shell and coreutils) runs the script.
var FilesCommands = []string{"base64", "chgrp", "chmod", "mkdir", "printf"}

// FileMode returns the mode of one projected file: the item's mode, else the volume's
// defaultMode, else 0644. With an fsGroup the kubelet then adds group read (0440), as it does for
// every file of a read-only volume.
func FileMode(item, defaultMode *int32, fsGroup *int64) int32 {
	m := DefaultFileMode
	switch {
	case item != nil:
		m = *item
	case defaultMode != nil:
		m = *defaultMode
	}
	if fsGroup != nil {
		m |= 0o440
	}
	return m
}

// FileDirMode returns the mode of a directory the kubelet creates for a nested path: 0755, and
// with an fsGroup also group read and search and the set-group-ID bit (02755).
func FileDirMode(fsGroup *int64) int32 {
	if fsGroup != nil {
		return fileDirMode | 0o2550
	}
	return fileDirMode
}

// CheckFileMode checks a mode as the API server does: only permission bits (0 to 0777).
func CheckFileMode(m int32) error {
	if m < 0 || m > 0o777 {
		return fmt.Errorf("mode %d (%#o) is not between 0 and 0777", m, m)
	}
	return nil
}

// CheckFilePath checks an items[].path as the API server does: not empty, relative, no ".."
// element. The path is where the file goes inside the volume.
func CheckFilePath(p string) error {
	switch {
	case p == "":
		return errors.New("must not be empty")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q must be a relative path", p)
	case path.Clean(p) == ".":
		return fmt.Errorf("%q does not name a file", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("%q must not contain '..'", p)
		}
	}
	return nil
}

// CleanFilePath is the path the kubelet writes an item to (filepath.Clean of a relative path).
func CleanFilePath(p string) string { return path.Clean(p) }

// DownwardMapFile is the content of a downward API file of metadata.labels or
// metadata.annotations, as the kubelet writes it: key="value" lines sorted by key, the value
// quoted as Go quotes strings, without a final newline.
func DownwardMapFile(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + strconv.Quote(m[k])
	}
	return strings.Join(lines, "\n")
}

// FileVarName names the environment variable that carries one file's content into the files
// container: PREFIX_NAME_KEY in upper case, every other character an underscore (a shell
// variable name), at most 100 characters. taken holds the names given so far; a repeated name
// gets _2, _3, ….
func FileVarName(prefix, name, key string, taken map[string]bool) string {
	var b strings.Builder
	for _, r := range prefix + "_" + name + "_" + key {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	base := b.String()
	if len(base) > 100 {
		base = base[:100]
	}
	v := base
	for n := 2; taken[v]; n++ {
		v = base + "_" + strconv.Itoa(n)
	}
	taken[v] = true
	return v
}

// ScriptDir is one directory the files script fills: a task volume as the files container mounts
// it, with the files it gets.
type ScriptDir struct {
	// Mount is the absolute path of the directory in the files container.
	Mount string
	// Comment says where the files come from (one line).
	Comment string
	// Files are written in this order; Dirs are the nested directories, parents first.
	Files []ScriptFile
	Dirs  []string
	// FSGroup, when set, becomes the group of every file and directory.
	FSGroup *int64
}

// ScriptFile is one file: its path relative to the directory, its mode, and the environment
// variable that holds its content (Base64: the variable holds the content base64-encoded).
type ScriptFile struct {
	Path   string
	Mode   int32
	Var    string
	Base64 bool
}

// FilesScript renders the POSIX shell script (sh -c) of the files container. It uses only shell
// built-ins and FilesCommands, writes each file from its variable with printf %s (byte for byte:
// quotes, backslashes, % and newlines pass unchanged; binary content is base64-decoded), creates
// nested directories with mode 0755 (umask 022), and sets every mode that differs from what
// umask 022 gives (0644). It stops at the first failing command (set -eu), so that a missing
// secret fails the container and the containers waiting for it do not start.
func FilesScript(dirs []ScriptDir) string {
	var b strings.Builder
	b.WriteString("set -eu\numask 022\n")
	for _, d := range dirs {
		if d.Comment != "" {
			b.WriteString("# " + strings.ReplaceAll(d.Comment, "\n", " ") + "\n")
		}
		dirMode := FileDirMode(d.FSGroup)
		for _, dir := range leafDirs(d.Dirs) {
			b.WriteString("mkdir -p " + ShellQuote(d.Mount+"/"+dir) + "\n")
		}
		for _, f := range d.Files {
			p := ShellQuote(d.Mount + "/" + f.Path)
			if f.Base64 {
				fmt.Fprintf(&b, "printf %%s \"$%s\" | base64 -d >%s\n", f.Var, p)
			} else {
				fmt.Fprintf(&b, "printf %%s \"$%s\" >%s\n", f.Var, p)
			}
			if f.Mode != DefaultFileMode {
				fmt.Fprintf(&b, "chmod %o %s\n", f.Mode, p)
			}
		}
		if d.FSGroup != nil {
			fmt.Fprintf(&b, "chgrp -R %d %s\n", *d.FSGroup, ShellQuote(d.Mount))
			for _, dir := range d.Dirs {
				fmt.Fprintf(&b, "chmod %o %s\n", dirMode, ShellQuote(d.Mount+"/"+dir))
			}
		}
	}
	return b.String()
}

// ShellQuote quotes s for a POSIX shell when it holds anything but letters, digits and
// _ . / + , : = @ % -.
func ShellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./+,:=@%-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// leafDirs are the directories no other one is below: mkdir -p creates their parents.
func leafDirs(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		leaf := true
		for _, o := range dirs {
			leaf = leaf && !strings.HasPrefix(o, d+"/")
		}
		if leaf {
			out = append(out, d)
		}
	}
	return out
}

// NestedDirs lists the directories the paths need below their root, parents first and sorted.
func NestedDirs(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		for d := path.Dir(p); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out) // a parent sorts before its children
	return out
}

// writeFilesSection writes the section of docs/mapping.md on configMap, secret, projected and
// downwardAPI volumes, with the script FilesScript renders for an example.
func writeFilesSection(b *strings.Builder) {
	mode := int32(0o400)
	example := FilesScript([]ScriptDir{
		{Mount: "/podecs/config", Comment: "volume config: ConfigMap web", Dirs: []string{"conf.d"}, Files: []ScriptFile{
			{Path: "app.yaml", Mode: DefaultFileMode, Var: "CONFIGMAP_WEB_APP_YAML"},
			{Path: "conf.d/site.conf", Mode: DefaultFileMode, Var: "CONFIGMAP_WEB_SITE_CONF"},
			{Path: "logo.png", Mode: DefaultFileMode, Var: "CONFIGMAP_WEB_LOGO_PNG", Base64: true},
		}},
		{Mount: "/podecs/tls", Comment: "volume tls: Secret web-tls", Files: []ScriptFile{
			{Path: "tls.key", Mode: FileMode(nil, &mode, nil), Var: "SECRET_WEB_TLS_TLS_KEY"},
		}},
	})
	b.WriteString(`## ConfigMap, Secret, projected and downwardAPI volumes → files

ECS has no such volumes and mounts directories only. Each one becomes a task volume (a name only:
a bind mount the task's containers share, on Fargate and EC2) that an init container, ` + "`podecs-files`" + `,
fills before any other container starts: it is not essential, every container ` + "`dependsOn`" + ` it with
` + "`SUCCESS`" + ` (the init containers through the first of them), and it runs a POSIX ` + "`sh -c`" + ` script that
uses only ` + "`printf`, `mkdir`, `chmod`, `chgrp` and `base64`" + `. ConfigMap and downward API content travels in
its ` + "`environment`" + ` (binaryData base64-encoded); each Secret key reaches it through ` + "`secrets`" + ` with the ARN
from ` + "`--config`" + `, so no Secret value is in the task definition. The containers mount the task volume where
they mounted the Kubernetes volume, read-only. For a ConfigMap ` + "`web`" + ` with three keys (one in binaryData,
one at a nested items path) and a Secret ` + "`web-tls`" + ` with ` + "`defaultMode: 0400`" + `, the script is:

` + "```sh\n" + example + "```" + `

A docker label, ` + "`podecs.io/files`" + `, holds the Kubernetes volumes as they were, so that the way back gives the
volumes and ConfigMaps again. ` + "`files.image`" + ` and ` + "`files.disabled`" + ` in ` + "`--config`" + ` set the image (default
` + "`" + DefaultFilesImage + "`" + `) or turn the container off.

`)
}
