// Package msg gives the command line's messages in the user's language: Chinese by default,
// English with --lang en. A message is written once, in English, as a fmt format; its Chinese
// is the catalog's entry for that format (zh.go), with the same verbs (explicit indexes such as
// %[2]s where Chinese orders the values differently). A message missing from the catalog shows
// in English; TestEveryMessageIsTranslated finds every literal format given to T, Errorf and the
// helpers built on them, and fails for one without its Chinese.
//
// Why not golang.org/x/text/message: its printer formats every %d by the locale, so a year or a
// row number would read 2,026 or 1,234 — in file names, months and row numbers that is wrong —
// and its catalog is keyed by the same English format strings as this map.
package msg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Languages.
const (
	ZH = "zh"
	EN = "en"
)

// Default is the language when none is given: $AFTERSALES_LANG if it is zh or en, else Chinese.
// The variable is read as a locale is (any case, a region or encoding after it): EN, en_US.UTF-8
// and en-GB are English, zh_CN Chinese — a user who copies their LANG's value gets what it says.
func Default() string {
	l := strings.ToLower(strings.TrimSpace(os.Getenv("AFTERSALES_LANG")))
	if i := strings.IndexAny(l, "_-.@"); i >= 0 {
		l = l[:i]
	}
	if l == EN {
		return EN
	}
	return ZH
}

// Valid reports whether lang is a language messages are given in.
func Valid(lang string) bool { return lang == ZH || lang == EN }

// T formats format with args in lang. Errors among args are shown in lang too (Text).
func T(lang, format string, args ...any) string {
	f := Format(lang, format)
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(strings.ReplaceAll(f, "%w", "%v"), localize(lang, args)...)
}

// Format is the format of a message in lang: its catalog entry in Chinese, else format itself.
func Format(lang, format string) string {
	if lang != EN {
		if z, ok := zh[format]; ok {
			return z
		}
	}
	return format
}

// Error is an error whose text can be given in either language: Error() is the English,
// Text(lang, err) the message in lang. It wraps what fmt.Errorf would (%w).
type Error struct {
	format string
	args   []any
	err    error // fmt.Errorf(format, args...): the English text and the wrapped errors
}

// Errorf is fmt.Errorf whose message Text gives in either language.
func Errorf(format string, args ...any) error {
	return &Error{format: format, args: args, err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string { return e.err.Error() }

// Unwrap gives the errors the format wraps with %w.
func (e *Error) Unwrap() []error {
	switch u := e.err.(type) {
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	case interface{ Unwrap() error }:
		return []error{u.Unwrap()}
	}
	return nil
}

// Text is err's message in lang: an Error in its language, with the errors among its values
// in theirs; an error with a Text(lang) method by it; any other error as it says itself (English). Errors that only wrap an Error
// without a text of their own (an exit status) give the Error's.
func Text(lang string, err error) string {
	if err == nil {
		return ""
	}
	var t texter
	if errors.As(err, &t) && t.Error() == err.Error() {
		return t.Text(lang)
	}
	var e *Error
	if errors.As(err, &e) && e.Error() == err.Error() {
		return T(lang, e.format, e.args...)
	}
	if t, ok := pathErrorText(lang, err); ok {
		return t
	}
	return err.Error()
}

// pathErrorText is a file system error (fs.PathError: "mkdir out: not a directory") in Chinese,
// for the messages that name the file an operation failed on: a store's clerk reads "创建文件夹
// out：路径中有一部分是文件，不是文件夹" rather than Go's English. English, and an error that
// wraps one with words of its own, are left as they are.
func pathErrorText(lang string, err error) (string, bool) {
	var pe *fs.PathError
	if lang != ZH || !errors.As(err, &pe) || pe.Error() != err.Error() {
		return "", false
	}
	op, ok := zhOps[pe.Op]
	if !ok {
		op = pe.Op
	}
	why := pe.Err.Error()
	for _, r := range zhErrnos {
		if errors.Is(pe.Err, r.err) {
			why = r.zh
			break
		}
	}
	return op + " " + pe.Path + "：" + why, true
}

var zhOps = map[string]string{"open": "打开", "mkdir": "创建文件夹", "read": "读取", "write": "写入", "rename": "重命名",
	"remove": "删除", "unlinkat": "删除", "stat": "查看", "lstat": "查看", "close": "关闭", "sync": "写入磁盘", "readdirent": "列出文件夹",
	"chmod": "修改权限", "truncate": "截断"}

var zhErrnos = []struct {
	err error
	zh  string
}{
	{syscall.ENOTDIR, "路径中有一部分是文件，不是文件夹"},
	{syscall.EISDIR, "这是文件夹，不是文件"},
	{syscall.ENOSPC, "磁盘空间已满"},
	{syscall.EROFS, "文件系统只读"},
	{fs.ErrNotExist, "文件或文件夹不存在"},
	{fs.ErrPermission, "没有权限"},
	{fs.ErrExist, "已存在"},
}

// texter is an error of a type that gives its message in either language itself.
type texter interface {
	error
	Text(lang string) string
}

func localize(lang string, args []any) []any {
	var out []any
	for i, a := range args {
		if err, ok := a.(error); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = Text(lang, err)
		}
	}
	if out == nil {
		return args
	}
	return out
}
