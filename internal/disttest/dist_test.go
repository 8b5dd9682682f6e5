package disttest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testVersion = "v9.8.7-disttest"
	testCommit  = "abc1234"
)

// platform is one release target and what its binary must look like.
type platform struct {
	goos, goarch string
}

var platforms = []platform{
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"linux", "amd64"}, {"linux", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func (p platform) file() string {
	name := "podecs_" + testVersion + "_" + p.goos + "_" + p.goarch
	if p.goos == "windows" {
		name += ".exe"
	}
	return name
}

func TestDist(t *testing.T) {
	if os.Getenv("PODECS_DIST_TEST") != "1" {
		t.Skip("builds six release binaries: run with PODECS_DIST_TEST=1 (make dist-check)")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	out := t.TempDir()

	cmd := exec.Command("make", "-C", root, "dist", "DIST="+out, "VERSION="+testVersion, "COMMIT="+testCommit)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Run(), "make dist:\n%s", log.String())

	t.Run("files", func(t *testing.T) {
		want := []string{"checksums.txt"}
		for _, p := range platforms {
			want = append(want, p.file())
		}
		sort.Strings(want)
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		assert.Equal(t, want, got)
	})

	t.Run("checksums", func(t *testing.T) {
		sums := readChecksums(t, filepath.Join(out, "checksums.txt"))
		require.Len(t, sums, len(platforms))
		for _, p := range platforms {
			data, err := os.ReadFile(filepath.Join(out, p.file()))
			require.NoError(t, err)
			sum := sha256.Sum256(data)
			assert.Equal(t, hex.EncodeToString(sum[:]), sums[p.file()], p.file())
		}
	})

	for _, p := range platforms {
		t.Run(p.goos+"/"+p.goarch, func(t *testing.T) {
			path := filepath.Join(out, p.file())
			checkMachine(t, path, p)
			checkBuildInfo(t, path, p, root)
		})
	}

	t.Run("version", func(t *testing.T) {
		native := platform{runtime.GOOS, runtime.GOARCH}
		path := filepath.Join(out, native.file())
		if _, err := os.Stat(path); err != nil {
			t.Skipf("no release binary for %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		stdout, err := exec.Command(path, "version", "--output", "json").Output()
		require.NoError(t, err)
		var v struct {
			Version  string `json:"version"`
			Commit   string `json:"commit"`
			Platform string `json:"platform"`
		}
		require.NoError(t, json.Unmarshal(stdout, &v), "%s", stdout)
		assert.Equal(t, testVersion, v.Version)
		assert.Equal(t, testCommit, v.Commit)
		assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, v.Platform)
	})
}

// readChecksums parses sha256sum output: "HEX  NAME" per line (NAME prefixed by '*' in binary
// mode), one line per file, no file twice.
func readChecksums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "checksums line %q", sc.Text())
		name = strings.TrimPrefix(name, "*")
		require.Len(t, sum, sha256.Size*2, "checksums line %q", sc.Text())
		_, dup := sums[name]
		require.False(t, dup, "%s listed twice", name)
		sums[name] = sum
	}
	require.NoError(t, sc.Err())
	return sums
}

// dwarfer is what the three executable formats have in common for the checks below.
type dwarfer interface {
	DWARF() (*dwarf.Data, error)
	Close() error
}

// checkMachine opens the binary in its platform's executable format, checks the architecture, and
// that it was stripped: no DWARF (-w) and no Go symbols (-s). A stripped Mach-O binary keeps only
// the symbols it imports from the system libraries.
func checkMachine(t *testing.T, path string, p platform) {
	t.Helper()
	var f dwarfer
	switch p.goos {
	case "linux":
		ef, err := elf.Open(path)
		require.NoError(t, err)
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.goarch]
		assert.Equal(t, want, ef.Machine)
		_, err = ef.Symbols()
		assert.ErrorIs(t, err, elf.ErrNoSymbols, "symbol table not stripped")
		f = ef
	case "darwin":
		mf, err := macho.Open(path)
		require.NoError(t, err)
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[p.goarch]
		assert.Equal(t, want, mf.Cpu)
		if mf.Symtab != nil {
			for _, sym := range mf.Symtab.Syms {
				if strings.HasPrefix(sym.Name, "_runtime.") || strings.HasPrefix(sym.Name, "_main.") {
					t.Errorf("symbol table not stripped: %s", sym.Name)
					break
				}
			}
		}
		f = mf
	case "windows":
		pf, err := pe.Open(path)
		require.NoError(t, err)
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[p.goarch]
		assert.Equal(t, want, pf.Machine)
		assert.Empty(t, pf.Symbols, "symbol table not stripped")
		f = pf
	default:
		t.Fatalf("no check for %s", p.goos)
	}
	defer f.Close()
	_, err := f.DWARF()
	assert.Error(t, err, "DWARF not stripped")
}

// checkBuildInfo reads the settings the Go toolchain recorded in the binary: the target, a pure-Go
// build and -trimpath (and no trace of the source directory root). With -trimpath the toolchain leaves -ldflags out of the build info, so the
// version stamping is checked in the binary's data: the -X values are strings in it.
func checkBuildInfo(t *testing.T, path string, p platform, root string) {
	t.Helper()
	bi, err := buildinfo.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "github.com/podecs/podecs/cmd/podecs", bi.Path)
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	assert.Equal(t, p.goos, settings["GOOS"])
	assert.Equal(t, p.goarch, settings["GOARCH"])
	assert.Equal(t, "0", settings["CGO_ENABLED"])
	assert.Equal(t, "true", settings["-trimpath"])

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Contains(data, []byte(testVersion)), "version %q not stamped", testVersion)
	assert.True(t, bytes.Contains(data, []byte(testCommit)), "commit %q not stamped", testCommit)
	assert.False(t, bytes.Contains(data, []byte(root)), "the source directory %s is in the binary (-trimpath)", root)
}
