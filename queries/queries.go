// Package queries holds the named queries: one .sql file per question, each starting with
// a header that gives its description and parameters:
//
//	-- name: monthly_review
//	-- description: every KPI of one store-month
//	-- description zh: 门店某月的全部指标
//	-- param: store  (required)
//	-- param: month  default 2026-09
//
// Parameters are written $name in the SQL and bound as values, never spliced into the text.
package queries

import (
	"embed"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/nearest"
	inparse "github.com/aftersales/aftersales/internal/parse"
)

//go:embed *.sql
var files embed.FS

// Describe is the query's description in lang (msg.ZH or msg.EN).
func (q *Query) Describe(lang string) string {
	if lang != msg.EN && q.DescriptionZH != "" {
		return q.DescriptionZH
	}
	return q.Description
}

// Param is a declared parameter of a named query.
type Param struct {
	Name     string
	Default  string
	Required bool
}

// Query is one named query.
type Query struct {
	Name          string
	Description   string
	DescriptionZH string // (-- description zh:) what `query --list` shows in Chinese
	Params        []Param
	SQL           string
}

var all = load()

func load() map[string]*Query {
	out := map[string]*Query{}
	entries, _ := files.ReadDir(".")
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		q := parse(strings.TrimSuffix(path.Base(e.Name()), ".sql"), string(b))
		out[q.Name] = q
	}
	return out
}

func parse(name, text string) *Query {
	q := &Query{Name: name, SQL: text}
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "--") {
			break
		}
		l = strings.TrimSpace(strings.TrimPrefix(l, "--"))
		switch {
		case strings.HasPrefix(l, "description:"):
			q.Description = strings.TrimSpace(strings.TrimPrefix(l, "description:"))
		case strings.HasPrefix(l, "description zh:"):
			q.DescriptionZH = strings.TrimSpace(strings.TrimPrefix(l, "description zh:"))
		case strings.HasPrefix(l, "param:"):
			f := strings.Fields(strings.TrimPrefix(l, "param:"))
			if len(f) == 0 {
				continue
			}
			p := Param{Name: f[0], Required: true}
			for i := 1; i+1 < len(f); i++ {
				if f[i] == "default" {
					p.Default, p.Required = f[i+1], false
				}
			}
			q.Params = append(q.Params, p)
		}
	}
	return q
}

// All lists the named queries by name.
func All() []*Query {
	out := make([]*Query, 0, len(all))
	for _, q := range all {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get finds a named query.
func Get(name string) (*Query, bool) {
	q, ok := all[name]
	return q, ok
}

var paramRe = regexp.MustCompile(`\$([a-z_][a-z0-9_]*)`)
var nameRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Resolve turns a name (with parameters) or a SQL text into the statement and its arguments.
// Named parameters become positional placeholders bound as values.
func Resolve(nameOrSQL string, params map[string]string) (string, []any, error) {
	q, ok := all[nameOrSQL]
	if !ok {
		// a word alone (or with hyphens: monthly-review) is a name, not SQL: the nearest name, if one is close
		name := strings.TrimSpace(nameOrSQL)
		if word := strings.ReplaceAll(name, "-", "_"); nameRe.MatchString(word) {
			names := make([]string, 0, len(all))
			for _, q := range All() {
				names = append(names, q.Name)
			}
			best := nearest.Name(name, names)
			if best == "" { // else the one name holding the word (payroll: payroll_month)
				var holding []string
				for _, n := range names {
					if strings.Contains(n, word) {
						holding = append(holding, n)
					}
				}
				if len(holding) == 1 {
					best = holding[0]
				}
			}
			if best != "" {
				return "", nil, msg.Errorf("no named query %q (did you mean %s?): run `aftersales query --list` for them all", nameOrSQL, best)
			}
			return "", nil, msg.Errorf("no named query %q: run `aftersales query --list`", nameOrSQL)
		}
		if len(params) > 0 {
			return "", nil, msg.Errorf("--param applies to named queries only")
		}
		return nameOrSQL, nil, nil
	}
	vals := map[string]string{}
	for _, p := range q.Params {
		v, ok := params[p.Name]
		if !ok {
			if p.Required {
				return "", nil, msg.Errorf("query %s needs --param %s=…", q.Name, p.Name)
			}
			v = p.Default
		}
		// a month as the exports write it (2026年9月, 2026/9: parse.Month) is the same month; one
		// that is not a month would match no row and print an empty table, like a month without
		// data: said instead
		if p.Name == "month" && v != "latest" {
			m, err := inparse.Month(v)
			if err != nil {
				return "", nil, msg.Errorf("--param month=%s is not a month: give YYYY-MM, e.g. month=2026-09", v)
			}
			v = m
		}
		vals[p.Name] = v
	}
	for k := range params {
		if _, ok := vals[k]; !ok {
			return "", nil, msg.Errorf("query %s has no parameter %q", q.Name, k)
		}
	}
	var args []any
	text := paramRe.ReplaceAllStringFunc(q.SQL, func(m string) string {
		name := m[1:]
		if v, ok := vals[name]; ok {
			args = append(args, v)
			return "?"
		}
		return m
	})
	return text, args, nil
}
