package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/nearest"
	"gopkg.in/yaml.v3"
)

// Settings are the business choices of CONTRACT §2 (all settings, none constants in code).
// Money and rates are kept as decimal text so that no float enters a money figure.
type Settings struct {
	ComebackWindowDays  int               `yaml:"comeback_window_days" json:"comeback_window_days"`
	OnTimeGraceMinutes  int               `yaml:"on_time_grace_minutes" json:"on_time_grace_minutes"`
	HoursPerDay         string            `yaml:"hours_per_day" json:"hours_per_day"`
	PoolRate            string            `yaml:"pool_rate" json:"pool_rate"`
	PoolBasis           string            `yaml:"pool_basis" json:"pool_basis"` // labor_amount | labor_hours
	HourRate            string            `yaml:"hour_rate" json:"hour_rate"`   // 元 per flagged hour when pool_basis = labor_hours
	ComebackDeduction   string            `yaml:"comeback_deduction" json:"comeback_deduction"`
	SSDivisor           int               `yaml:"ss_divisor" json:"ss_divisor"`
	DeadStockDays       int               `yaml:"dead_stock_days" json:"dead_stock_days"`
	PayrollScheme       string            `yaml:"payroll_scheme" json:"payroll_scheme"` // coefficient | hour_rate
	GradeHourRates      map[string]string `yaml:"grade_hour_rates" json:"grade_hour_rates"`
	LostCustomerMonths  int               `yaml:"lost_customer_months" json:"lost_customer_months"`
	ServiceIntervalDays int               `yaml:"service_interval_days" json:"service_interval_days"`
	ServiceIntervalKm   int               `yaml:"service_interval_km" json:"service_interval_km"`
}

// Config is the settings file: defaults, KPI targets and per-store overrides.
type Config struct {
	Defaults Settings             `yaml:"defaults" json:"defaults"`
	Targets  map[string]string    `yaml:"targets" json:"targets"`
	Stores   map[string]yaml.Node `yaml:"stores" json:"-"`
}

// DefaultConfig holds the contract's defaults.
func DefaultConfig() *Config {
	return &Config{
		Defaults: Settings{
			ComebackWindowDays: 30, OnTimeGraceMinutes: 0, HoursPerDay: "8", PoolRate: "0.35", PoolBasis: "labor_amount",
			HourRate: "0", ComebackDeduction: "100.00", SSDivisor: 30, DeadStockDays: 180, PayrollScheme: "coefficient",
			GradeHourRates:     map[string]string{"lead": "25", "deputy": "18", "assistant": "12", "trainee": "8", "apprentice": "4"},
			LostCustomerMonths: 12, ServiceIntervalDays: 180, ServiceIntervalKm: 10000,
		},
		Targets: map[string]string{"ftfr": "0.95", "csi": "0.90", "complaint_rate": "0.01", "on_time_rate": "0.95"},
		Stores:  map[string]yaml.Node{},
	}
}

// LoadConfig reads a settings file over the defaults. An empty path gives the defaults.
func LoadConfig(path string) (*Config, error) {
	c := DefaultConfig()
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, msg.Errorf("reading settings %s: %w", path, err)
	}
	b = ingest.ConfigText(b) // (a GBK file, as Notepad saves it on a Chinese Windows, read too)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, msg.Errorf("settings %s: %w", path, explainYAML(b, err))
	}
	if err := c.validate(); err != nil {
		return nil, msg.Errorf("settings %s: %w", path, err)
	}
	return c, nil
}

// decimalSetting is the form of a money or rate setting (kept as text: no float in money).
var decimalSetting = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

func (c *Config) validate() error {
	check := func(where string, s Settings) error {
		if s.ComebackWindowDays < 0 || s.DeadStockDays < 0 || s.SSDivisor <= 0 {
			return msg.Errorf("%s: comeback_window_days and dead_stock_days must be ≥ 0 and ss_divisor > 0", where)
		}
		if s.PoolBasis != "labor_amount" && s.PoolBasis != "labor_hours" {
			return msg.Errorf("%s: pool_basis must be labor_amount or labor_hours, not %q", where, s.PoolBasis)
		}
		if s.PayrollScheme != "coefficient" && s.PayrollScheme != "hour_rate" {
			return msg.Errorf("%s: payroll_scheme must be coefficient or hour_rate, not %q", where, s.PayrollScheme)
		}
		for _, d := range []struct{ key, v string }{{"hours_per_day", s.HoursPerDay}, {"pool_rate", s.PoolRate},
			{"hour_rate", s.HourRate}, {"comeback_deduction", s.ComebackDeduction}} {
			if !decimalSetting.MatchString(d.v) {
				return msg.Errorf("%s: %s must be a decimal number such as 8 or 0.35, not %q", where, d.key, d.v)
			}
		}
		// (the forms were checked above: plain decimals, read exactly)
		if h, _ := new(big.Rat).SetString(s.HoursPerDay); h.Sign() <= 0 || h.Cmp(big.NewRat(24, 1)) > 0 {
			return msg.Errorf("%s: hours_per_day is the hours of a working day, more than 0 and at most 24, not %q", where, s.HoursPerDay)
		}
		if r, _ := new(big.Rat).SetString(s.PoolRate); r.Cmp(big.NewRat(1, 1)) > 0 {
			return msg.Errorf("%s: pool_rate is the share of the labour amount that goes to the team's pool, at most 1 (0.35 for 35%%), not %q", where, s.PoolRate)
		}
		for g, v := range s.GradeHourRates {
			if !decimalSetting.MatchString(v) {
				return msg.Errorf("%s: grade_hour_rates.%s must be a decimal number such as 45.50, not %q", where, g, v)
			}
		}
		return nil
	}
	if err := check("defaults", c.Defaults); err != nil {
		return err
	}
	if err := c.checkTargets(); err != nil {
		return err
	}
	// (the stores in order, so that of two stores' mistakes the same one is named every time)
	for _, id := range c.StoreIDs() {
		s, err := c.ForStore(id)
		if err != nil {
			return err
		}
		if err := check("stores."+id, s); err != nil {
			return err
		}
	}
	return nil
}

// checkTargets reads each KPI target as a decimal number, a percentage (95%, as a service
// manager writes it, is 0.95) read as its fraction; a rate's target must lie in [0, 1], since
// rates are fractions (a complaint_rate target of 1.5 would never be missed: 1.5% is 0.015); a
// key must be a KPI of the dictionary (with the nearest one, for a typo). Checked here, so that
// the mistake is named with the settings file and exits 2, not found by the transform's insert.
func (c *Config) checkTargets() error {
	keys := make([]string, 0, len(c.Targets))
	for k := range c.Targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		k, ok := KPIByKey(key)
		if !ok {
			kpis := make([]string, len(KPIs))
			for i, x := range KPIs {
				kpis[i] = x.Key
			}
			if best := nearest.Name(key, kpis); best != "" {
				return msg.Errorf("targets: %s is not a KPI (did you mean %s?)", key, best)
			}
			return msg.Errorf("targets: %s is not a KPI (the KPIs are the columns of mart_store_month: `aftersales query \"SELECT kpi FROM kpi_dictionary\"`)", key)
		}
		v := strings.TrimSpace(c.Targets[key])
		pct := strings.HasSuffix(v, "%")
		num := strings.TrimSpace(strings.TrimSuffix(v, "%"))
		r, ok := new(big.Rat).SetString(num)
		if !ok || !decimalTarget.MatchString(num) {
			return msg.Errorf("targets: %s must be a number such as 0.95 or 95%%, not %q", key, c.Targets[key])
		}
		if pct {
			r.Quo(r, big.NewRat(100, 1))
		}
		if k.Unit == "rate" && (r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0) {
			return msg.Errorf("targets: %s is a rate, a fraction from 0 to 1 (0.95 or 95%%), not %q", key, c.Targets[key])
		}
		if pct {
			c.Targets[key] = targetText(r) // (a number stays as written: the settings recorded with each run do not change)
		}
	}
	return nil
}

// decimalTarget is the form of a target's number (a sign allowed: a change may be a target).
var decimalTarget = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// targetText is a target's exact decimal text, without trailing zeros (0.95, 0.015, 90).
func targetText(r *big.Rat) string {
	s := r.FloatString(12)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ForStore returns the settings in force for one store: the defaults with its overrides
// decoded on top (only the keys the override names change).
func (c *Config) ForStore(id string) (Settings, error) {
	s := c.Defaults
	s.GradeHourRates = map[string]string{}
	for k, v := range c.Defaults.GradeHourRates {
		s.GradeHourRates[k] = v
	}
	node, ok := c.Stores[id]
	if !ok {
		return s, nil
	}
	// (the node's own keys are checked, not a re-encoding of it: the lines are the file's)
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			if k := node.Content[i]; !settingKeys()[k.Value] {
				return s, msg.Errorf("stores.%s: line %d: %s", id, k.Line, unknownSetting(k.Value, msg.Errorf("a store's settings")))
			}
		}
	} else if node.Kind != 0 && !(node.Kind == yaml.ScalarNode && node.Tag == "!!null") {
		return s, msg.Errorf("stores.%s: line %d: a store's settings are a list of `key: value` lines under it", id, node.Line)
	}
	if err := node.Decode(&s); err != nil {
		return s, msg.Errorf("stores.%s: %w", id, explainYAML(nil, err))
	}
	return s, nil
}

// settingKeys are the keys a store's settings (and defaults:) may hold.
func settingKeys() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeOf(Settings{})
	for i := 0; i < t.NumField(); i++ {
		keys[strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]] = true
	}
	return keys
}

var (
	yamlUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type transform\.(Config|Settings)$`)
	yamlSyntax       = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)
	yamlWrongType    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
)

// explainYAML rewrites the YAML decoder's messages in the settings' own terms: a key that is not
// a setting (with the nearest one, for a typo), a setting at the top level that belongs under
// defaults:, a value of the wrong kind; and, for a file that is not YAML (src, the file's
// bytes), the line where it stops being YAML, what is wrong there and what to check.
func explainYAML(src []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if g := yamlSyntax.FindStringSubmatch(err.Error()); g != nil {
			line := g[1]
			if n := firstBadLine(src); n > 0 {
				line = strconv.Itoa(n)
			}
			if line == "" {
				line = "?"
			}
			return msg.Errorf("line %s: %s — not valid YAML: indent with spaces (not tabs), two per level, and write each setting as `key: value`, as in data/settings.yaml", line, yamlProblem(g[2]))
		}
		return err
	}
	var out joined
	for _, m := range te.Errors {
		var e error = errors.New(m) // (a message of the decoder's own: as it says it)
		if g := yamlUnknownField.FindStringSubmatch(m); g != nil {
			switch {
			case g[3] == "Config" && settingKeys()[g[2]]:
				e = msg.Errorf("line %s: %s goes under `defaults:` (or under a store in `stores:`), as in data/settings.yaml", g[1], g[2])
			case g[3] == "Config":
				e = msg.Errorf("line %s: %s is not a section of the settings (they are defaults:, targets: and stores:, as in data/settings.yaml)", g[1], g[2])
			default:
				e = msg.Errorf("line %s: %s", g[1], unknownSetting(g[2], msg.Errorf("the settings")))
			}
		} else if g := yamlWrongType.FindStringSubmatch(m); g != nil {
			switch g[4] {
			case "int":
				e = msg.Errorf("line %s: %q should be a whole number", g[1], g[3])
			case "string":
				e = msg.Errorf("line %s: %q should be a value", g[1], g[3])
			case "map[string]string":
				e = msg.Errorf("line %s: %q should be a list of `key: value` lines", g[1], g[3])
			default:
				e = msg.Errorf("line %s: %q should be a %s", g[1], g[3], g[4])
			}
		}
		out = append(out, e)
	}
	return out
}

// firstBadLine is the 1-based line from which src stops being YAML: the line after the longest
// prefix of whole lines that still parses (0 when src is nil, every prefix fails, or src is longer
// than a settings file would be). yaml.v3's own line is often not that line: for an unclosed
// `[`, a dedented key or a tab it names where the enclosing block or flow began, counted from 0
// (line 2 for a tab on line 3; line 1 for `[30` unclosed on line 2). The longest parsing prefix,
// not the shortest failing one, so that a valid bracket or quote spanning lines before the
// error, whose first lines alone do not parse, is not taken for it.
func firstBadLine(src []byte) int {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1] // after the last newline
	}
	if len(lines) == 0 || len(lines) > 1000 {
		return 0
	}
	good := -1 // lines in the longest parsing prefix
	for k := 0; k < len(lines); k++ {
		var n yaml.Node
		if yaml.Unmarshal(bytes.Join(lines[:k], nil), &n) == nil {
			good = k
		}
	}
	if good < 0 || good >= len(lines) {
		return 0
	}
	return good + 1
}

// yamlProblem is a problem yaml.v3's scanner or parser names, in the user's language: the ones
// a hand-edited settings file meets are translated, the others shown as the decoder says them.
type yamlProblem string

func (p yamlProblem) Error() string { return string(p) }

// Text is the problem in lang.
func (p yamlProblem) Text(lang string) string {
	if z, ok := yamlProblemsZH[string(p)]; ok && lang != msg.EN {
		return z
	}
	return string(p)
}

var yamlProblemsZH = map[string]string{
	"did not find expected ',' or ']'":                             "方括号 [ 没有闭合（缺少 , 或 ]）",
	"did not find expected ',' or '}'":                             "花括号 { 没有闭合（缺少 , 或 }）",
	"found a tab character that violates indentation":              "缩进里有制表符",
	"found a tab character where an indentation space is expected": "应为缩进空格处有制表符",
	"found character that cannot start any token":                  "有不能作为内容开头的字符（制表符，或 @、` 开头的值：值请加引号）",
	"did not find expected key":                                    "这里应是一个键（缩进与同级的键不一致？）",
	"mapping values are not allowed in this context":               "这里不能再有 `键: 值`（缩进多了，或一行里有两个冒号：含冒号的值请加引号）",
	"could not find expected ':'":                                  "缺少冒号（键与值之间写 `: `，冒号后加空格）",
	"found unexpected end of stream":                               "文件在引号闭合之前结束（引号没有闭合？）",
	"did not find expected node content":                           "这里缺少内容",
	"did not find expected '-' indicator":                          "列表的每一项应以 - 开头",
	"found unknown escape character":                               "双引号中有无法识别的转义（\\ 之后的字符）：用单引号，或写成 \\\\",
	"found undefined tag handle":                                   "有未定义的标记（! 开头的值：值请加引号）",
	"did not find expected alphabetic or numeric character":        "这里应是字母或数字（& 或 * 之后：值请加引号）",
}

// joined is the decoder's findings, each in the message's language.
type joined []error

func (j joined) Error() string { return j.Text(msg.EN) }

// Text is the findings in lang.
func (j joined) Text(lang string) string {
	var s []string
	for _, e := range j {
		s = append(s, msg.Text(lang, e))
	}
	return strings.Join(s, msg.T(lang, "; "))
}

// unknownSetting names a key that is not a setting, with the nearest setting when it looks like
// a typo of one.
func unknownSetting(key string, where error) error {
	keys := make([]string, 0, len(settingKeys()))
	for k := range settingKeys() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if best := nearest.Name(key, keys); best != "" {
		return msg.Errorf("%s is not one of %s (did you mean %s?)", key, where, best)
	}
	return msg.Errorf("%s is not one of %s (they are listed in data/settings.yaml)", key, where)
}

// StoreIDs lists the stores with overrides, sorted.
func (c *Config) StoreIDs() []string {
	var ids []string
	for id := range c.Stores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// JSON is the settings in force, recorded with each transform run: defaults, targets and
// every overridden store's full settings.
func (c *Config) JSON() string {
	stores := map[string]Settings{}
	for _, id := range c.StoreIDs() {
		stores[id], _ = c.ForStore(id)
	}
	b, _ := json.Marshal(struct {
		Defaults Settings            `json:"defaults"`
		Targets  map[string]string   `json:"targets"`
		Stores   map[string]Settings `json:"stores"`
	}{c.Defaults, c.Targets, stores})
	return string(b)
}
