package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A module whose Windows-only file and Windows-only test have type errors, and which imports a
// dependency (a local module, as go-duckdb is to us) that does not type-check on any platform:
// the two errors of the module's own files are reported for windows and nothing for linux; the
// dependency's errors never are.
func TestCheckReportsTheModulesWindowsFilesOnly(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"dep/go.mod": "module example.com/dep\n\ngo 1.22\n",
		"dep/dep.go": "package dep\n\nvar Broken undefinedType\n\nfunc Name() string { return \"dep\" }\n",
		"m/go.mod": "module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\n" +
			"replace example.com/dep => ../dep\n",
		"m/m.go":               "package m\n\nimport \"example.com/dep\"\n\nfunc Use() string { return dep.Name() }\n",
		"m/os_windows.go":      "package m\n\nfunc windowsOnly() int { return \"not an int\" }\n",
		"m/os_other.go":        "//go:build !windows\n\npackage m\n\nfunc windowsOnly() int { return 1 }\n",
		"m/os_windows_test.go": "package m\n\nimport \"testing\"\n\nfunc TestW(t *testing.T) { t.Log(undefinedInTest) }\n",
	})
	dir := filepath.Join(root, "m")
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")

	errs, n, err := check(dir, "windows", "amd64", []string{"./..."})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no package of the module checked")
	}
	if len(errs) != 2 || !strings.Contains(errs[0], "os_windows.go") || !strings.Contains(errs[1], "os_windows_test.go") {
		t.Fatalf("windows: want the errors of os_windows.go and os_windows_test.go only, got %q", errs)
	}
	for _, e := range errs {
		if strings.Contains(e, "dep.go") || strings.Contains(e, "undefinedType") {
			t.Fatalf("an error of the dependency was reported: %q", e)
		}
	}

	errs, _, err = check(dir, "linux", "amd64", []string{"./..."})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 0 {
		t.Fatalf("linux builds neither Windows file: want no error, got %q", errs)
	}
}

func TestInModule(t *testing.T) {
	for _, c := range []struct {
		pos  string
		want bool
	}{
		{"/w/m/a.go:3:4", true},
		{"/w/m/sub/a_windows.go:10:1", true},
		{"/w/dep/a.go:3:4", false},
		{"/root/go/pkg/mod/x@v1/a.go:1:1", false},
		{"", true},
		{"-", true},
	} {
		if got := inModule(c.pos, "/w/m"); got != c.want {
			t.Errorf("inModule(%q) = %v, want %v", c.pos, got, c.want)
		}
	}
}
