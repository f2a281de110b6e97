package ingest

import (
	"sort"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
)

// ColType is the canonical type of a column (CONTRACT §1).
type ColType int

const (
	Text      ColType = iota // free text: trimmed, otherwise as written
	ID                       // identifier: text, full-width folded, Excel scientific notation rejected
	Enum                     // one of Column.Enum's canonical English words
	Int                      // whole number
	Decimal                  // decimal with Column.Scale places, rounded half-up
	Timestamp                // zone-less local time
	Month                    // YYYY-MM text
	Bool                     // boolean
	VIN                      // 17-character vehicle identification number
)

// Column declares one canonical column of a kind.
type Column struct {
	Name     string
	Type     ColType
	Required bool
	// Default is used when the cell is empty and the column is optional:
	// "0" for amounts and counts, "false" for flags. Empty means NULL.
	Default string
	Aliases []string
	// Enum maps every accepted spelling (folded with enumKey) to the canonical word.
	Enum     map[string]string
	Scale    int   // decimals for Decimal columns (2 unless stated)
	Min, Max int64 // inclusive bounds for Int columns when Max > Min
	NonNeg   bool  // a negative value is a row error
	// Distinct: nearly every row holds its own value (a row's identifier, a VIN, a name, a
	// phone). raw_<kind> stores such a text column with FSST and every other text column with a
	// dictionary, so that DuckDB does not try both on each segment while loading (≈ 25 % of
	// the load's CPU at scale S).
	Distinct bool
	// Display: shown in lists, dashboards and workbooks, but no model computes with it (a
	// plate, a customer's name, a job's text). An incremental transform's copy of the window's
	// rows leaves it out; a model that reads it there fails loudly (transform's rawShadow).
	Display bool
}

// Kind declares an input kind: its canonical columns, natural key and row checks.
type Kind struct {
	Name    string
	Label   string // Chinese name, for messages
	Columns []Column
	Key     []string
	// Check runs after every cell parsed; it returns the column and reason of a
	// cross-field error (a msg.Errorf, shown in the ingest's language), or nil when the row is valid.
	Check func(r *Row) (column string, reason error)
	// Since is a SQL expression over a raw row: the earliest store-local instant whose KPIs the
	// row can change (an incremental transform recomputes from the month it falls in, less the
	// comeback window). Empty with SinceOrder: the row counts where its order does, so its
	// order's opened_at.
	Since      string
	SinceOrder bool
	// Period is the timestamp or month column whose first and last values a file's line gives
	// (an export of the wrong month shows at once); "" for a kind without one
	Period string

	index   map[string]int
	keyCols []int // positions of Key's columns
	// boundCol: the position of the key's first column after store_id when it is stored as
	// text (order_no, callback_id, movement_id, month, …), whose per-store maximum raw_key_bounds
	// keeps (bounds.go); -1 when the key has no such column
	boundCol int
	// monthCol: the position of the required month column that --month may supply (attendance's
	// month, a technicians roster's valid_from); -1 when the kind has none
	monthCol int
	// periodCol: Period's position; -1 without one
	periodCol int
}

// Col returns the position of a canonical column.
func (k *Kind) Col(name string) int {
	i, ok := k.index[name]
	if !ok {
		panic("ingest: kind " + k.Name + " has no column " + name)
	}
	return i
}

var kinds []*Kind
var kindByName = map[string]*Kind{}
var aliasIndex = map[string]map[string]int{} // kind → header key → column
var aliasKeys = map[string]bool{}            // every kind's header keys

func register(k *Kind) *Kind {
	k.index = map[string]int{}
	ai := map[string]int{}
	for i := range k.Columns {
		c := &k.Columns[i]
		if c.Type == Decimal && c.Scale == 0 {
			c.Scale = 2
		}
		k.index[c.Name] = i
		for _, a := range append([]string{c.Name}, c.Aliases...) {
			key := parse.HeaderKey(a)
			if key == "" {
				panic("ingest: kind " + k.Name + ": the alias " + a + " of " + c.Name + " folds to nothing")
			}
			ai[key] = i
			aliasKeys[key] = true
		}
		if c.Type == Enum {
			folded := map[string]string{}
			for from, to := range c.Enum {
				folded[enumKey(from)] = to
				folded[enumKey(to)] = to
			}
			c.Enum = folded
		}
	}
	for _, key := range k.Key {
		k.keyCols = append(k.keyCols, k.Col(key))
	}
	k.monthCol = -1
	for i, c := range k.Columns {
		if c.Type == Month && c.Required && k.monthCol < 0 {
			k.monthCol = i
		}
	}
	k.periodCol = -1
	if k.Period != "" {
		k.periodCol = k.Col(k.Period)
		if t := k.Columns[k.periodCol].Type; t != Timestamp && t != Month {
			panic("ingest: kind " + k.Name + ": Period " + k.Period + " is neither a timestamp nor a month")
		}
	}
	k.boundCol = -1
	if len(k.Key) >= 2 && k.Key[0] == "store_id" && k.Col("store_id") == 0 && sqlType(&k.Columns[k.keyCols[1]]) == "VARCHAR" {
		k.boundCol = k.keyCols[1]
	}
	kinds = append(kinds, k)
	kindByName[k.Name] = k
	aliasIndex[k.Name] = ai
	return k
}

func enumKey(s string) string { return strings.ToLower(parse.HeaderKey(s)) }

// enumValue looks a cell's text up among a fixed-values column's spellings. Besides the
// spellings declared, it takes the two inflections DMS status and system fields carry: a leading
// 已 ("already": 已完工 for 完工, 已作废 for 作废, 已出厂 for 出厂) and a trailing 系统 ("system":
// 发动机系统 for 发动机). Nothing else is guessed: a negation (未完工, 未出厂) or a word holding two
// values (事故保养) matches nothing and the row is rejected.
func (c *Column) enumValue(text string) (string, bool) {
	k := enumKey(text)
	if v, ok := c.Enum[k]; ok {
		return v, true
	}
	for _, t := range [...]string{strings.TrimPrefix(k, "已"), strings.TrimSuffix(k, "系统")} {
		if t != k {
			if v, ok := c.Enum[t]; ok {
				return v, true
			}
		}
	}
	return "", false
}

// EnumWords lists a fixed-values column's canonical words, each with the other spellings accepted
// for it ("cancelled 作废/取消; completed 完工; …"): for `aftersales columns` and a rejected value.
func (c *Column) EnumWords() string { return c.enumWords(nil) }

// enumWords is EnumWords with more spellings of some values (canonical → words: the aliases
// file's) among the built-in ones.
func (c *Column) enumWords(more map[string][]string) string {
	words := map[string][]string{}
	for canon, ws := range more {
		words[canon] = append(words[canon], ws...)
	}
	for spelling, canon := range c.Enum {
		if spelling != canon && spelling != enumKey(canon) { // (the folded canonical word)
			words[canon] = append(words[canon], spelling)
		} else if _, ok := words[canon]; !ok {
			words[canon] = nil
		}
	}
	canons := make([]string, 0, len(words))
	for canon := range words {
		canons = append(canons, canon)
	}
	sort.Strings(canons)
	parts := make([]string, len(canons))
	for i, canon := range canons {
		sort.Strings(words[canon])
		parts[i] = canon
		if len(words[canon]) > 0 {
			parts[i] += " " + strings.Join(words[canon], "/")
		}
	}
	return strings.Join(parts, "; ")
}

// Kinds lists the input kinds in a stable order.
func Kinds() []*Kind {
	out := append([]*Kind(nil), kinds...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// KindByName finds a kind by its canonical name.
func KindByName(name string) (*Kind, error) {
	if k, ok := kindByName[strings.TrimSpace(name)]; ok {
		return k, nil
	}
	return nil, msg.Errorf("unknown kind %q (one of: %s)", name, strings.Join(kindNames(), ", "))
}

// enum builds an enum map from "canonical: alias alias ..." pairs.
func enum(pairs ...string) map[string]string {
	m := map[string]string{}
	for _, p := range pairs {
		canon, rest, _ := strings.Cut(p, ":")
		canon = strings.TrimSpace(canon)
		m[canon] = canon
		for _, a := range strings.Fields(rest) {
			m[a] = canon
		}
	}
	return m
}

// Title is a column as messages name it: in Chinese with the export's usual Chinese header
// first (车架号 vin), in English its name alone.
func (c *Column) Title(lang string) string {
	if lang != msg.EN {
		for _, a := range c.Aliases {
			if strings.IndexFunc(a, func(r rune) bool { return r >= 0x2e80 }) >= 0 {
				return a + " " + c.Name
			}
		}
	}
	return c.Name
}

// label returns "name (first alias)" for messages.
func (c *Column) label() string {
	if len(c.Aliases) > 0 {
		return c.Name + " (" + c.Aliases[0] + ")"
	}
	return c.Name
}

// storeCol is the store_id column every kind has; it may come from --store instead (CONTRACT §1 "*").
func storeCol(aliases ...string) Column {
	return Column{Name: "store_id", Type: ID, Required: true, Aliases: append([]string{"门店编号", "门店代码", "服务站代码"}, aliases...)}
}
