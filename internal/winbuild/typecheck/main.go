// Command typecheck type-checks this module's packages, tests included, as they are built for
// another platform (by default windows/amd64), without that platform's C compiler: `make lint`
// runs it so that a file built only on Windows (explorer_windows.go, sync_other.go, …) is
// checked on every run of `make test`, in CI too, where `go vet` for Windows would need MinGW
// and about 2.5 minutes to compile every dependency.
//
// Without cgo, DuckDB's bindings have no Go files, so go-duckdb and its mapping packages do not
// type-check for the target. go/types marks what they leave undefined as invalid and reports
// nothing further about its uses, so those errors stay inside the dependency: only errors in
// this module's own files are reported, and any is a failure. What this does not check is what
// only a compiler or the platform can say (cgo, linking, behaviour): `make windows` and
// `make windows-check` do that where MinGW and Wine are installed.
//
// Usage: go run ./internal/winbuild/typecheck [-goos windows] [-goarch amd64] [packages]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

func main() {
	goos := flag.String("goos", "windows", "the target's GOOS")
	goarch := flag.String("goarch", "amd64", "the target's GOARCH")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	errs, checked, err := check("", *goos, *goarch, patterns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "typecheck:", err)
		os.Exit(2)
	}
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, e)
	}
	if len(errs) > 0 {
		fmt.Fprintf(os.Stderr, "typecheck: %d error(s) in this module's files as built for %s/%s\n", len(errs), *goos, *goarch)
		os.Exit(1)
	}
	fmt.Printf("typecheck %s/%s: %d packages of this module, tests included: ok\n", *goos, *goarch, checked)
}

// check loads patterns in dir (the current folder if empty) as built for goos/goarch without cgo
// and returns the errors found in the files of the main module (sorted, each once), and how many
// of its packages were checked.
func check(dir, goos, goarch string, patterns []string) ([]string, int, error) {
	cfg := &packages.Config{
		Dir: dir,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule,
		Env:   append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0"),
		Tests: true,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, 0, err
	}
	seen := map[string]bool{}
	var errs []string
	checked := 0
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main {
			continue
		}
		checked++
		for _, e := range p.Errors {
			if !inModule(e.Pos, p.Module.Dir) {
				continue
			}
			s := e.Error()
			if !seen[s] {
				seen[s] = true
				errs = append(errs, s)
			}
		}
	}
	if checked == 0 {
		return nil, 0, fmt.Errorf("no package of the main module matched %s", strings.Join(patterns, " "))
	}
	sort.Strings(errs)
	return errs, checked, nil
}

// inModule: the error's position (file:line:col) lies in a file below the module's folder. An
// error with no position (a package that cannot be listed at all) counts as the module's.
func inModule(pos, dir string) bool {
	if pos == "" || pos == "-" {
		return true
	}
	file := pos
	// strip :line:col (a Windows path's drive letter has a colon too: cut from the right)
	for i := 0; i < 2; i++ {
		if j := strings.LastIndexByte(file, ':'); j > 1 {
			file = file[:j]
		}
	}
	rel, err := filepath.Rel(dir, file)
	return err == nil && !strings.HasPrefix(rel, "..")
}
