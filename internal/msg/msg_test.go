package msg

import (
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestTAndText(t *testing.T) {
	inner := Errorf("%w: %q is not a whole number", ErrNotANumber, "1.5")
	outer := Errorf("reading sheet %q row %d: %v", "工单", 7, inner)
	if got, want := outer.Error(), `reading sheet "工单" row 7: not a number: "1.5" is not a whole number`; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	if got, want := Text(ZH, outer), `读取工作表 "工单" 第 7 行出错：不是数字："1.5" 不是整数`; got != want {
		t.Errorf("Chinese: %q, want %q", got, want)
	}
	if got := Text(EN, outer); got != outer.Error() {
		t.Errorf("Text(en) = %q, want the English %q", got, outer.Error())
	}
	// %w wraps as fmt.Errorf does
	if !errors.Is(inner, ErrNotANumber) || errors.Is(outer, inner) {
		t.Errorf("errors.Is: a %s value is not wrapped, or a %s value is", "%w", "%v")
	}
	// an error of its own text around an Error stays as it says itself; one that only carries it
	// (an exit status) gives the Error's language
	wrapped := fmt.Errorf("reading x: %w", inner)
	if got := Text(ZH, wrapped); got != wrapped.Error() {
		t.Errorf("Text of a foreign wrapper = %q, want its own %q", got, wrapped.Error())
	}
	carried := carrier{inner}
	if got, want := Text(ZH, carried), `不是数字："1.5" 不是整数`; got != want {
		t.Errorf("Text of a carrier = %q, want %q", got, want)
	}
	if got, want := T(ZH, "VIN %q has %q at position %d; a VIN uses 0-9 and A-Z without I, O and Q", "LSV", "O", 9), `车架号 "LSV" 第 9 位是 "O"；车架号只用 0-9 和除 I、O、Q 外的 A-Z`; got != want {
		t.Errorf("reordered: %q, want %q", got, want)
	}
	if got, want := T(ZH, "a message not in the catalog %d", 3), "a message not in the catalog 3"; got != want {
		t.Errorf("untranslated: %q, want %q", got, want)
	}
	if got := T(EN, "    %s column %s value %q: %s", "row 1", "a", "b", "c"); got != `    row 1 column a value "b": c` {
		t.Errorf("T(en) = %q", got)
	}
}

var ErrNotANumber = Errorf("not a number")

type carrier struct{ err error }

func (c carrier) Error() string { return c.err.Error() }
func (c carrier) Unwrap() error { return c.err }

func TestDefault(t *testing.T) {
	for env, want := range map[string]string{"": ZH, "en": EN, "zh": ZH, "fr": ZH,
		"EN": EN, "en_US.UTF-8": EN, "en-GB": EN, " en ": EN, "zh_CN.UTF-8": ZH} {
		t.Setenv("AFTERSALES_LANG", env)
		if got := Default(); got != want {
			t.Errorf("AFTERSALES_LANG=%q: Default() = %q, want %q", env, got, want)
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// sample gives a value of its own for each verb of an English format, in order, and the text
// each shows as.
func sample(format string) (args []any, shown []string) {
	for i, v := range verb.FindAllString(format, -1) {
		switch v[len(v)-1] {
		case '%':
			continue
		case 'd':
			args = append(args, 1001+i)
		case 'f', 'g':
			args = append(args, 1001.5+float64(i))
		case 'w':
			args = append(args, fmt.Errorf("E%d", i))
		default:
			args = append(args, fmt.Sprintf("S%d", i))
		}
		shown = append(shown, strings.Trim(fmt.Sprintf(strings.ReplaceAll(v, "%w", "%v"), args[len(args)-1]), " \""))
	}
	return args, shown
}

// Every Chinese format takes the English one's values: none missing, none extra, none of the
// wrong kind, and every value shown.
func TestCatalogVerbs(t *testing.T) {
	for en, z := range zh {
		args, shown := sample(en)
		got := fmt.Sprintf(strings.ReplaceAll(z, "%w", "%v"), args...)
		if strings.Contains(got, "%!") {
			t.Errorf("%q → %q: %s", en, z, got)
		}
		want := fmt.Sprintf(strings.ReplaceAll(en, "%w", "%v"), args...)
		for _, s := range shown {
			if n, m := strings.Count(want, s), strings.Count(got, s); n != m {
				t.Errorf("%q → %q: shows %s %d times, the English %d", en, z, s, m, n)
			}
		}
		if strings.TrimSpace(z) == "" || z == en && regexp.MustCompile(`[a-z]{4}`).MatchString(en) {
			t.Errorf("%q is not translated", en)
		}
	}
}

// helpers: the functions whose arguments at these indexes are messages (formats).
// Unqualified names count in their own package only (dashboards has a T of its own).
var helpers = map[string][]int{
	"msg.T": {1}, "msg.Errorf": {0}, "msg.Format": {1}, "read.Errorf": {0},
	"read.Errorf@read": {0}, "ingest.fileErr@ingest": {0}, "ingest.fail@ingest": {0},
	"main.failed@main": {0}, "main.usage@main": {0}, "main.line@main": {0, 1}, "main.inParallel@main": {1},
}

// TestEveryMessageIsTranslated reads the module's Go files (not tests) and fails for each
// literal format given to a message helper that the catalog has no Chinese for.
func TestEveryMessageIsTranslated(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var missing []string
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		need := func(e ast.Expr) {
			if s, ok := literal(e); ok {
				seen[s] = true
				if _, ok := zh[s]; !ok {
					missing = append(missing, fmt.Sprintf("%s: %q", fset.Position(e.Pos()), s))
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// the command line's help: commands' Short and Long, flags' usage (the last argument
			// of c.Flags().StringVar(…) and the like)
			if kv, ok := n.(*ast.KeyValueExpr); ok && f.Name.Name == "main" {
				if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Short" || k.Name == "Long") {
					need(kv.Value)
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && f.Name.Name == "main" && len(call.Args) >= 3 && strings.Contains(sel.Sel.Name, "Var") {
				if x, ok := sel.X.(*ast.CallExpr); ok {
					if s, ok := x.Fun.(*ast.SelectorExpr); ok && (s.Sel.Name == "Flags" || s.Sel.Name == "PersistentFlags") {
						need(call.Args[len(call.Args)-1])
					}
				}
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = f.Name.Name + "." + fn.Name + "@" + f.Name.Name
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok {
					name = x.Name + "." + fn.Sel.Name
				}
			}
			for _, i := range helpers[name] {
				if i >= len(call.Args) {
					continue
				}
				s, ok := literal(call.Args[i])
				if !ok {
					continue
				}
				seen[s] = true
				if _, ok := zh[s]; !ok && regexp.MustCompile(`[A-Za-z]`).MatchString(verb.ReplaceAllString(s, "")) {
					missing = append(missing, fmt.Sprintf("%s: %q", fset.Position(call.Args[i].Pos()), s))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no Chinese for the message at %s", m)
	}
	if len(seen) < 20 {
		t.Errorf("found only %d messages: is the source tree at %s?", len(seen), root)
	}
	// and no catalog entry that no code gives (left behind when a message changed)
	var stale []string
	for en := range zh {
		if !seen[en] && !dynamic[en] {
			stale = append(stale, en)
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("catalog entry no code gives: %q", s)
	}
}

// literal is the text of a string literal or a sum of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

// dynamic: catalog entries whose format reaches T through a variable: the reasons a transform
// runs in full (transform/runner.go, plan).
var dynamic = map[string]bool{
	// cobra's own commands' descriptions (localizeHelp in cmd/aftersales)
	"Generate the autocompletion script for the specified shell": true, "Help about any command": true,
	"--full": true, "first run": true, "the models changed since the last run": true, "the settings changed since the last run": true,
}

// A file system error is given in Chinese where a message names it, with the path as it is; in
// English, and wrapped in words of its own, as Go says it.
func TestPathErrorText(t *testing.T) {
	notDir := &fs.PathError{Op: "mkdir", Path: "out", Err: syscall.ENOTDIR}
	_, missing := os.Stat(filepath.Join(t.TempDir(), "无.csv"))
	for _, c := range []struct {
		lang string
		err  error
		want string
	}{
		{ZH, notDir, "创建文件夹 out：路径中有一部分是文件，不是文件夹"},
		{EN, notDir, "mkdir out: not a directory"},
		{ZH, Errorf("cannot create %s: %w", "out/sub", notDir), "无法创建 out/sub：创建文件夹 out：路径中有一部分是文件，不是文件夹"},
		{ZH, fmt.Errorf("making out: %w", notDir), "making out: mkdir out: not a directory"},
		{ZH, &fs.PathError{Op: "write", Path: "a.duckdb", Err: syscall.ENOSPC}, "写入 a.duckdb：磁盘空间已满"},
		{ZH, &fs.PathError{Op: "flock", Path: "a", Err: syscall.EBADF}, "flock a：" + syscall.EBADF.Error()},
		// (os.Stat's operation is "stat" here, another on Windows: the missing file is the point)
		{ZH, missing, cmp.Or(zhOps[missing.(*fs.PathError).Op], missing.(*fs.PathError).Op) + " " + missing.(*fs.PathError).Path + "：文件或文件夹不存在"},
	} {
		if got := Text(c.lang, c.err); got != c.want {
			t.Errorf("Text(%s, %v) = %q, want %q", c.lang, c.err, got, c.want)
		}
	}
}
