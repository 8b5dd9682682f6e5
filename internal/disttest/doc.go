// Package disttest checks the release build: that `make dist` cross-compiles podecs for every
// platform, stamped with the version and commit, stripped and built with -trimpath, and writes a
// checksums file that matches the binaries.
//
// The test builds six binaries, so it runs only when PODECS_DIST_TEST=1 is set, as `make
// dist-check` does; `make test` skips it.
package disttest
