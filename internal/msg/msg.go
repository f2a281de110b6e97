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
	"os"
	"strings"
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
	return err.Error()
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
