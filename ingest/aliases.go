package ingest

import (
	"bytes"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"gopkg.in/yaml.v3"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/nearest"
	"github.com/aftersales/aftersales/internal/parse"
)

// DefaultAliasesFile is the aliases file ingest reads when --aliases is not given and it exists
// (beside data/settings.yaml).
const DefaultAliasesFile = "data/aliases.yaml"

// Aliases are a DMS's own words beyond the built-in ones: more headers of a kind's column
// (headers:) and more spellings of a fixed value (values:). A DMS that writes 快修 for repair
// would otherwise have every such row rejected, month after month; the clerk declares the word
// once in the aliases file (data/aliases.yaml, ingest --aliases) instead of editing each export.
// A declared word may not mean something else already: a header of another column of the kind,
// a spelling of another value.
type Aliases struct {
	Path    string
	headers map[string]map[string]int // kind → header key → column
	keys    map[string]bool           // every declared header key, of any kind
	values  map[string]map[string]string
	// as written, for `aftersales columns`: kind → column → headers; column → value → spellings
	headerList map[string]map[string][]string
	valueList  map[string]map[string][]string
}

// ConfigText is a settings or aliases file's text as UTF-8. A file saved by Windows Notepad as
// "ANSI" on a Chinese system is GBK: yaml.v3 reads UTF-8 (or UTF-16 with its byte-order mark)
// alone and fails such a file with "invalid leading UTF-8 octet". A file that is not valid UTF-8
// and has no UTF-16 byte-order mark is therefore read as GB18030 (a superset of GBK), as ingest
// reads CSV exports.
func ConfigText(b []byte) []byte {
	if utf8.Valid(b) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return b
	}
	if u, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil {
		return u
	}
	return b
}

// LoadAliases reads an aliases file:
//
//	headers:
//	  work_orders:
//	    order_type: [业务分类]
//	values:
//	  order_type:
//	    repair: [快修, 小修]
//
// Every kind, column and value must exist, and a word may be a single text or a list. A mistake
// is named by its line.
func LoadAliases(path string) (*Aliases, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, msg.Errorf("reading the aliases file %s: %w", path, err)
	}
	a, err := parseAliases(ConfigText(b))
	if err != nil {
		return nil, msg.Errorf("aliases file %s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

func parseAliases(src []byte) (*Aliases, error) {
	a := &Aliases{headers: map[string]map[string]int{}, keys: map[string]bool{}, values: map[string]map[string]string{},
		headerList: map[string]map[string][]string{}, valueList: map[string]map[string][]string{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, msg.Errorf("not valid YAML (%v): indent with spaces, two per level, as in data/aliases.yaml", err)
	}
	if len(doc.Content) == 0 {
		return a, nil // empty, or comments only
	}
	top := doc.Content[0]
	if isNull(top) {
		return a, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, msg.Errorf("line %d: the file holds sections headers: and values:, as in data/aliases.yaml", top.Line)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		var err error
		switch key.Value {
		case "headers":
			err = a.readHeaders(val)
		case "values":
			err = a.readValues(val)
		default:
			err = msg.Errorf("line %d: %s is not a section of the aliases file (they are headers: and values:)", key.Line, key.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "")
}

// pairs walks a mapping node (a null one holds nothing).
func pairs(n *yaml.Node, what string, f func(k, v *yaml.Node) error) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return msg.Errorf("line %d: %s should be `name:` lines, one level further in", n.Line, what)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := f(n.Content[i], n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// words reads a word or a list of words ([快修, 小修], or one per `- ` line).
func words(n *yaml.Node) ([]*yaml.Node, error) {
	switch {
	case isNull(n):
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		return []*yaml.Node{n}, nil
	case n.Kind == yaml.SequenceNode:
		for _, w := range n.Content {
			if w.Kind != yaml.ScalarNode {
				return nil, msg.Errorf("line %d: a word should be a text, such as 快修", w.Line)
			}
		}
		return n.Content, nil
	}
	return nil, msg.Errorf("line %d: the words should be a list, such as [快修, 小修]", n.Line)
}

func (a *Aliases) readHeaders(n *yaml.Node) error {
	return pairs(n, "headers", func(kn, cols *yaml.Node) error {
		k, ok := kindByName[kn.Value]
		if !ok {
			if best := nearest.Name(kn.Value, kindNames()); best != "" {
				return msg.Errorf("line %d: %s is not an input kind (did you mean %s?)", kn.Line, kn.Value, best)
			}
			return msg.Errorf("line %d: %s is not an input kind (one of: %s)", kn.Line, kn.Value, strings.Join(kindNames(), ", "))
		}
		return pairs(cols, kn.Value, func(cn, list *yaml.Node) error {
			ci, ok := k.index[cn.Value]
			if !ok {
				if best := nearest.Name(cn.Value, columnNames(k)); best != "" {
					return msg.Errorf("line %d: %s has no column %s (did you mean %s?)", cn.Line, k.Name, cn.Value, best)
				}
				return msg.Errorf("line %d: %s has no column %s (its columns: %s)", cn.Line, k.Name, cn.Value, strings.Join(columnNames(k), ", "))
			}
			ws, err := words(list)
			if err != nil {
				return err
			}
			for _, w := range ws {
				key := parse.HeaderKey(w.Value)
				if key == "" {
					return msg.Errorf("line %d: the header %q is empty once spaces and a unit are set aside", w.Line, w.Value)
				}
				if j, ok := aliasIndex[k.Name][key]; ok && j != ci {
					return msg.Errorf("line %d: the header %q already means %s of %s", w.Line, w.Value, k.Columns[j].Name, k.Name)
				}
				if j, ok := a.headers[k.Name][key]; ok && j != ci {
					return msg.Errorf("line %d: the header %q is given for %s and %s of %s", w.Line, w.Value, k.Columns[j].Name, cn.Value, k.Name)
				}
				if a.headers[k.Name] == nil {
					a.headers[k.Name], a.headerList[k.Name] = map[string]int{}, map[string][]string{}
				}
				a.headers[k.Name][key] = ci
				a.keys[key] = true
				a.headerList[k.Name][cn.Value] = append(a.headerList[k.Name][cn.Value], w.Value)
			}
			return nil
		})
	})
}

func (a *Aliases) readValues(n *yaml.Node) error {
	return pairs(n, "values", func(cn, vals *yaml.Node) error {
		col := enumColumn(cn.Value)
		if col == nil {
			if best := nearest.Name(cn.Value, enumColumnNames()); best != "" {
				return msg.Errorf("line %d: %s is not a column of fixed values (did you mean %s?)", cn.Line, cn.Value, best)
			}
			return msg.Errorf("line %d: %s is not a column of fixed values (they are: %s)", cn.Line, cn.Value, strings.Join(enumColumnNames(), ", "))
		}
		return pairs(vals, cn.Value, func(vn, list *yaml.Node) error {
			if col.Enum[enumKey(vn.Value)] != vn.Value {
				if best := nearest.Name(vn.Value, canonicalWords(col)); best != "" {
					return msg.Errorf("line %d: %s is not a value of %s (did you mean %s?)", vn.Line, vn.Value, col.Name, best)
				}
				return msg.Errorf("line %d: %s is not a value of %s (one of: %s); write the canonical English word, then the DMS's words", vn.Line, vn.Value, col.Name, strings.Join(canonicalWords(col), ", "))
			}
			ws, err := words(list)
			if err != nil {
				return err
			}
			for _, w := range ws {
				key := enumKey(w.Value)
				if key == "" {
					return msg.Errorf("line %d: the word %q is empty once spaces are set aside", w.Line, w.Value)
				}
				if v, ok := col.enumValue(w.Value); ok && v != vn.Value {
					return msg.Errorf("line %d: %q already means %s of %s", w.Line, w.Value, v, col.Name)
				}
				if v, ok := a.values[col.Name][key]; ok && v != vn.Value {
					return msg.Errorf("line %d: %q is given for %s and %s of %s", w.Line, w.Value, v, vn.Value, col.Name)
				}
				if a.values[col.Name] == nil {
					a.values[col.Name], a.valueList[col.Name] = map[string]string{}, map[string][]string{}
				}
				a.values[col.Name][key] = vn.Value
				a.valueList[col.Name][vn.Value] = append(a.valueList[col.Name][vn.Value], w.Value)
			}
			return nil
		})
	})
}

// hasHeader: some kind has the header key among the declared ones (nil: none declared).
func (a *Aliases) hasHeader(key string) bool { return a != nil && a.keys[key] }

// header is the column of kind the declared header key names.
func (a *Aliases) header(kind, key string) (int, bool) {
	if a == nil {
		return 0, false
	}
	i, ok := a.headers[kind][key]
	return i, ok
}

// value is the canonical word a declared spelling of col's values names.
func (a *Aliases) value(col *Column, text string) (string, bool) {
	if a == nil {
		return "", false
	}
	v, ok := a.values[col.Name][enumKey(text)]
	return v, ok
}

// Headers lists the headers declared for a kind's column, as written.
func (a *Aliases) Headers(kind, col string) []string {
	if a == nil {
		return nil
	}
	return a.headerList[kind][col]
}

// EnumWords is col.EnumWords with the spellings declared for its values among the built-in ones
// ("…; repair 一般维修/…/快修/小修; …").
func (a *Aliases) EnumWords(col *Column) string {
	if a == nil {
		return col.EnumWords()
	}
	return col.enumWords(a.valueList[col.Name])
}

// Counts is how many headers and how many spellings of values the file declares.
func (a *Aliases) Counts() (headers, values int) {
	if a == nil {
		return 0, 0
	}
	for _, k := range a.headers {
		headers += len(k)
	}
	for _, c := range a.values {
		values += len(c)
	}
	return headers, values
}

// Empty reports whether the file declares nothing.
func (a *Aliases) Empty() bool { return a == nil || len(a.keys) == 0 && len(a.values) == 0 }

// kindNames lists the input kinds' names, sorted.
func kindNames() []string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	return names
}

// columnNames lists a kind's columns, in its order.
func columnNames(k *Kind) []string {
	var names []string
	for _, c := range k.Columns {
		names = append(names, c.Name)
	}
	return names
}

// enumColumn is the column of fixed values of that name (each such name belongs to one kind).
func enumColumn(name string) *Column {
	for _, k := range kinds {
		if i, ok := k.index[name]; ok && k.Columns[i].Type == Enum {
			return &k.Columns[i]
		}
	}
	return nil
}

func enumColumnNames() []string {
	var names []string
	for _, k := range kinds {
		for _, c := range k.Columns {
			if c.Type == Enum && !slices.Contains(names, c.Name) {
				names = append(names, c.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// canonicalWords lists a column's canonical values.
func canonicalWords(c *Column) []string {
	seen := map[string]bool{}
	for _, v := range c.Enum {
		seen[v] = true
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// file is the aliases file a rejected value's or a missing header's message names as where to
// declare the DMS's word: this one's, else the default (nil: none was read).
func (a *Aliases) file() string {
	if a != nil && a.Path != "" {
		return a.Path
	}
	return DefaultAliasesFile
}
