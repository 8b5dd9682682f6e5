package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
)

// Inputs: files, directories and standard input, and in them the sources of ECS definitions
// that are more than a stream of documents: Terraform modules (a directory's .tf files),
// ecspresso projects (a config and the definition files it names) and Jsonnet files. Their
// readers get the files through osFiles and the environment through streams.

// sourceFlags are the flags that give the values CloudFormation templates and Terraform modules
// refer to.
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "parameter", Usage: "CloudFormation: set parameter `KEY=VALUE` (also pseudo parameters: AWS::AccountId=123456789012) (repeatable)"},
		&cli.StringSliceFlag{Name: "var", Usage: "Terraform: set variable `NAME=VALUE` (repeatable; -var works too)"},
		&cli.StringSliceFlag{Name: "var-file", Usage: "Terraform: read variable values from a .tfvars `FILE` after terraform.tfvars and *.auto.tfvars (repeatable)"},
		&cli.StringSliceFlag{Name: "ext-str", Usage: "Jsonnet (ecspresso): set external variable `KEY=VALUE` to a string, for std.extVar (repeatable)"},
		&cli.StringSliceFlag{Name: "ext-code", Usage: "Jsonnet (ecspresso): set external variable `KEY=CODE` to the value of Jsonnet code (repeatable)"},
	}
}

// osFiles reads files by the names the user gave (slash-separated, relative to the working
// directory or absolute), for the source readers.
type osFiles struct{}

func (osFiles) Open(name string) (fs.File, error) { return os.Open(filepath.FromSlash(name)) }

// sourceFlagValues are the values of the source flags.
type sourceFlagValues struct {
	Parameters, Vars, VarFiles, ExtStr, ExtCode []string
}

func sourceFlagsOf(c *cli.Context) sourceFlagValues {
	return sourceFlagValues{Parameters: c.StringSlice("parameter"), Vars: c.StringSlice("var"), VarFiles: c.StringSlice("var-file"),
		ExtStr: c.StringSlice("ext-str"), ExtCode: c.StringSlice("ext-code")}
}

// sourceOptions checks the source flags; region is AWS::Region.
func sourceOptions(f sourceFlagValues, region string, s streams) (convert.SourceOptions, error) {
	so := convert.SourceOptions{Files: osFiles{}, Region: region, Env: lookupEnv(s), WorkDir: workDir()}
	var err error
	if so.ExtStr, err = keyValues("--ext-str", f.ExtStr); err != nil {
		return so, err
	}
	if so.ExtCode, err = keyValues("--ext-code", f.ExtCode); err != nil {
		return so, err
	}
	if so.Parameters, err = keyValues("--parameter", f.Parameters); err != nil {
		return so, err
	}
	if so.Vars, err = keyValues("--var", f.Vars); err != nil {
		return so, err
	}
	for _, f := range f.VarFiles {
		so.VarFiles = append(so.VarFiles, filepath.ToSlash(f))
	}
	return so, nil
}

// workDir is the working directory, slash-separated, for Terraform's path.cwd; "" if unknown.
func workDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return filepath.ToSlash(wd)
}

func keyValues(flag string, list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: give KEY=VALUE", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}

// lookupEnv looks a variable up, telling unset from empty where the streams can.
func lookupEnv(s streams) func(string) (string, bool) {
	if s.LookupEnv != nil {
		return s.LookupEnv
	}
	return func(k string) (string, bool) {
		v := getenv(s, k)
		return v, v != ""
	}
}

// listInputs lists the inputs in reading order: files as given, directories recursively in
// sorted order, "-" for standard input. In a directory, the .tf files of each directory are one
// Terraform module, a file named ecspresso*.yml (.yaml, .json, .jsonnet) or with a top-level
// task_definition key whatever its name (config/prod.yml) is an ecspresso config whose definition
// files are read through it only, other .jsonnet files are evaluated, and a cdk synth output
// directory (cdk.out) gives its *.template.json files. A file named alone is read the same way. isBatch is true for more than one input, a directory or standard input.
func listInputs(paths []string, stdin io.Reader, so convert.SourceOptions) (inputs []convert.Input, isBatch bool, err error) {
	l := inputLister{so: so, tf: convert.NewTerraformModules(so), modules: map[string]bool{}, consumed: map[string]bool{}, configs: map[string]bool{}}
	for _, p := range paths {
		if p == "-" {
			l.inputs = append(l.inputs, convert.Input{Name: inputName(p), Open: func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
			isBatch = true
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, false, err
		}
		if !st.IsDir() {
			l.file(p, true)
			continue
		}
		l.walkRoot = filepath.Clean(p)
		isBatch = true
		files, err := walkInputs(p)
		if err != nil {
			return nil, false, err
		}
		for _, f := range files {
			if convert.IsEcspressoConfigName(f) || !convert.IsTerraformFile(f) && isEcspressoConfigFile(f) {
				l.configs[f] = true
				l.consume(f)
			}
		}
		for _, f := range files {
			l.file(f, false)
		}
	}
	return l.inputs, isBatch || len(l.inputs) > 1, nil
}

type inputLister struct {
	so     convert.SourceOptions
	inputs []convert.Input
	// tf reads the Terraform modules of the run: a module another one calls by a local path is
	// read through that call, unless the user named it (or it is the directory walked).
	tf       *convert.TerraformModules
	walkRoot string
	// modules are the Terraform module directories listed; configs the ecspresso configs found
	// in directories, by name or content, and consumed the definition files they name.
	modules  map[string]bool
	configs  map[string]bool
	consumed map[string]bool
}

// consume marks the definition files of an ecspresso config as read through it.
func (l *inputLister) consume(config string) {
	defs, err := convert.EcspressoDefinitions(filepath.ToSlash(config), l.so)
	if err != nil {
		return // reading the project reports it
	}
	for _, d := range defs {
		l.consumed[filepath.Clean(filepath.FromSlash(d))] = true
	}
}

func (l *inputLister) file(p string, named bool) {
	so, slash := l.so, filepath.ToSlash(p)
	switch {
	case l.consumed[filepath.Clean(p)]:
	case convert.IsTerraformFile(p):
		dir := filepath.ToSlash(filepath.Dir(p))
		l.tf.Add(dir, named || filepath.Dir(p) == l.walkRoot)
		if !l.modules[dir] {
			l.modules[dir] = true
			tf := l.tf
			l.inputs = append(l.inputs, convert.Input{Name: dir, Read: func(fn func(convert.Document), onErr func(*convert.DocError)) error {
				return tf.Read(dir, fn, onErr)
			}})
		}
	case l.configs[p] || convert.IsEcspressoConfigName(p) || named && isEcspressoConfigFile(p):
		l.inputs = append(l.inputs, convert.Input{Name: p, Read: func(fn func(convert.Document), onErr func(*convert.DocError)) error {
			return convert.ReadEcspresso(slash, so, fn, onErr)
		}})
	case convert.IsJsonnetFile(p):
		l.inputs = append(l.inputs, convert.Input{Name: p, Read: func(fn func(convert.Document), onErr func(*convert.DocError)) error {
			return convert.ReadJsonnet(slash, so, fn, onErr)
		}})
	default:
		in := convert.Input{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
		if st, err := os.Stat(p); err == nil {
			in.Size = st.Size()
		}
		l.inputs = append(l.inputs, in)
	}
}

// isEcspressoConfigFile looks at the start of a YAML, JSON or Jsonnet file.
func isEcspressoConfigFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yml", ".yaml", ".json", ".jsonnet":
	default:
		return false
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16<<10)
	n, _ := io.ReadFull(f, head)
	return convert.IsEcspressoConfig(p, head[:n])
}

// walkInputs lists the files of a directory that podecs reads, recursively in sorted order:
// .yaml, .yml, .json, .jsonnet, .tf and .tf.json, not in hidden directories. Of a cdk synth
// output directory (it holds a file named cdk.out) only the *.template.json files are inputs,
// with those of its nested assemblies.
func walkInputs(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if isCloudAssembly(path) {
				assembly, err := cloudAssemblyTemplates(path)
				files = append(files, assembly...)
				if err != nil {
					return err
				}
				return filepath.SkipDir
			}
			return nil
		}
		name := strings.ToLower(d.Name())
		switch filepath.Ext(name) {
		case ".yaml", ".yml", ".json", ".jsonnet", ".tf":
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func isCloudAssembly(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "cdk.out"))
	return err == nil && !st.IsDir()
}

func cloudAssemblyTemplates(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".template.json"):
			out = append(out, p)
		case e.IsDir() && strings.HasPrefix(e.Name(), "assembly-"):
			nested, err := cloudAssemblyTemplates(p)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	}
	return out, nil
}

// readInputs reads every input in order, for the commands that take documents without a batch.
func readInputs(paths []string, stdin io.Reader, ro convert.ReadOptions, fn func(convert.Document), onErr func(*convert.DocError)) error {
	inputs, _, err := listInputs(paths, stdin, ro.Sources)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in.Read != nil {
			if err := in.Read(fn, onErr); err != nil {
				onErr(&convert.DocError{Doc: convert.DocRef{Source: in.Name}, Err: err})
			}
			continue
		}
		if err := readInput(in, ro, fn, onErr); err != nil {
			return err
		}
	}
	return nil
}

func readInput(in convert.Input, ro convert.ReadOptions, fn func(convert.Document), onErr func(*convert.DocError)) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return convert.ReadDocuments(r, in.Name, ro, fn, onErr)
}
