package transform

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aftersales/aftersales/internal/msg"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestShippedSettingsEqualDefaults(t *testing.T) {
	c, err := LoadConfig(filepath.Join("..", "data", "settings.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d := DefaultConfig(); !reflect.DeepEqual(c.Defaults, d.Defaults) || !reflect.DeepEqual(c.Targets, d.Targets) {
		t.Errorf("data/settings.yaml differs from the built-in defaults:\n%+v\n%+v", c.Defaults, d.Defaults)
	}
}

func TestStoreOverride(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(p, []byte("defaults:\n  pool_rate: 0.4\nstores:\n  S2:\n    comeback_window_days: 45\n    pool_rate: 0.30\n    grade_hour_rates: {lead: 30}\n"), 0o644)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := c.ForStore("S1")
	s2, err := c.ForStore("S2")
	if err != nil {
		t.Fatal(err)
	}
	if s1.PoolRate != "0.4" || s1.ComebackWindowDays != 30 || s2.PoolRate != "0.30" || s2.ComebackWindowDays != 45 || s2.DeadStockDays != 180 {
		t.Errorf("s1 %+v\ns2 %+v", s1, s2)
	}
	if s2.GradeHourRates["lead"] != "30" || s2.GradeHourRates["deputy"] != "18" || c.Defaults.GradeHourRates["lead"] != "25" {
		t.Errorf("grade rates %v / %v", s2.GradeHourRates, c.Defaults.GradeHourRates)
	}
	os.WriteFile(p, []byte("stores:\n  S2:\n    comback_window_days: 45\n"), 0o644)
	if _, err := LoadConfig(p); err == nil {
		t.Error("a misspelt setting was accepted")
	}
}

// TestDecimalSettingsChecked: a money or rate setting that is not a decimal number is refused
// when the settings are read, naming the store and the key (they are cast to DECIMAL in SQL).
func TestDecimalSettingsChecked(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	for _, c := range []struct{ yaml, want string }{
		{"stores:\n  S2:\n    hours_per_day: 8h\n", `stores.S2: hours_per_day must be a decimal number such as 8 or 0.35, not "8h"`},
		{"defaults:\n  pool_rate: 35%\n", `defaults: pool_rate must be a decimal number`},
		{"stores:\n  S3:\n    grade_hour_rates: {lead: 三十}\n", `stores.S3: grade_hour_rates.lead must be a decimal number`},
	} {
		os.WriteFile(p, []byte(c.yaml), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: want an error containing %q, got %v", c.yaml, c.want, err)
		}
	}
	os.WriteFile(p, []byte("stores:\n  S2:\n    hours_per_day: 7.5\n    comeback_deduction: 0\n"), 0o644)
	if _, err := LoadConfig(p); err != nil {
		t.Errorf("plain decimals refused: %v", err)
	}
}

// TestSettingsErrorsSayWhatToDo: a settings file's mistakes are named in its own terms, with the
// line in the file: a setting outside defaults:, a misspelt key (with the nearest setting), a
// value of the wrong kind, a misspelt section, a store's overrides in the wrong form.
func TestSettingsErrorsSayWhatToDo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	for _, c := range []struct{ yaml, want string }{
		{"comeback_window_days: 45\n", "line 1: comeback_window_days goes under `defaults:`"},
		{"defaults:\n  comeback_windw_days: 30\n", "line 2: comeback_windw_days is not one of the settings (did you mean comeback_window_days?)"},
		{"defaults:\n  comeback_window_days: thirty\n", `line 2: "thirty" should be a whole number`},
		{"defualts:\n  pool_rate: 0.3\n", "line 1: defualts is not a section of the settings"},
		{"stores:\n  S001:\n    ss_divisor: 30\n    pool_rat: 0.3\n", "stores.S001: line 4: pool_rat is not one of a store's settings (did you mean pool_rate?)"},
		{"stores:\n  S001:\n    ss_divisor: six\n", `stores.S001: line 3: "six" should be a whole number`},
		{"stores:\n  S001: 30\n", "stores.S001: line 2: a store's settings are a list of `key: value` lines"},
		// the line is where the text stops being YAML, not yaml.v3's (line 2 for the tab on line 3,
		// line 1 for the bracket left open on line 2, line 2 for the dedented key on line 3)
		{"defaults:\n  pool_rate: 0.3\n\tss_divisor: 2\n", "line 3: found a tab character that violates indentation — not valid YAML: indent with spaces (not tabs)"},
		{"defaults:\n  comeback_window_days: [30\n", "line 2: did not find expected ',' or ']' — not valid YAML"},
		{"defaults:\n  pool_rate: 0.3\n ss_divisor: 2\n  hour_rate: 1\n", "line 3: did not find expected key — not valid YAML"},
		// a bracket that spans lines and closes is not the error
		{"defaults:\n  grade_hour_rates: {lead: 25,\n    deputy: 18}\n  pool_rate: 0.3\n\tss_divisor: 2\n", "line 5: found a tab character"},
		{"\tdefaults:\n  pool_rate: 0.3\n", "line 1: found character that cannot start any token"},
		{"defaults:\n  hours_per_day: 0\n", `defaults: hours_per_day is the hours of a working day, more than 0 and at most 24, not "0"`},
		{"stores:\n  S001:\n    pool_rate: 1.5\n", `stores.S001: pool_rate is the share of the labour amount that goes to the team's pool, at most 1 (0.35 for 35%), not "1.5"`},
		// targets: a KPI's key, a number, a rate within [0, 1]
		{"targets:\n  ftf: 0.95\n", "targets: ftf is not a KPI (did you mean ftfr?)"},
		{"targets:\n  csi: high\n", `targets: csi must be a number such as 0.95 or 95%, not "high"`},
		{"targets:\n  complaint_rate: 1.5\n", `targets: complaint_rate is a rate, a fraction from 0 to 1 (0.95 or 95%), not "1.5"`},
		{"targets:\n  csi: 120%\n", `targets: csi is a rate, a fraction from 0 to 1 (0.95 or 95%), not "120%"`},
	} {
		os.WriteFile(p, []byte(c.yaml), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: want an error containing %q, got %v", c.yaml, c.want, err)
		}
	}
	// and in Chinese, as the command line says them by default
	for yml, want := range map[string]string{
		"defaults:\n  comeback_windw_days: 30\n":         "第 2 行：comeback_windw_days 不是参数设置中的项（是否想写 comeback_window_days？）",
		"defaults:\n  comeback_window_days: thirty\n":    `第 2 行："thirty" 应为整数`,
		"defaults:\n  pool_rate: 0.3\n\tss_divisor: 2\n": "第 3 行：缩进里有制表符 —— 不是有效的 YAML：请用空格缩进",
		"defaults:\n  ss_divisor: [30\n":                 "第 2 行：方括号 [ 没有闭合（缺少 , 或 ]） —— 不是有效的 YAML",
	} {
		os.WriteFile(p, []byte(yml), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(msg.Text(msg.ZH, err), want) {
			t.Errorf("%q: want %q in Chinese, got %v", yml, want, msg.Text(msg.ZH, err))
		}
	}
}

// TestSettingsSavedAsGBK: data/settings.yaml saved by Notepad as "ANSI" on a Chinese Windows is
// GBK (its comments are Chinese); it reads as the UTF-8 file does, and a mistake in it is still
// named by its line.
func TestSettingsSavedAsGBK(t *testing.T) {
	src := "# 返修窗口（天）\ndefaults:\n  comeback_window_days: 45  # 天\nstores:\n  S001:\n    pool_rate: 0.3  # 班组工资池\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(gbk) {
		t.Fatal("the GBK text should not be valid UTF-8")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "gbk.yaml")
	os.WriteFile(p, gbk, 0o644)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatalf("a GBK settings file: %v", err)
	}
	if c.Defaults.ComebackWindowDays != 45 {
		t.Errorf("comeback_window_days = %d, want 45", c.Defaults.ComebackWindowDays)
	}
	s, err := c.ForStore("S001")
	if err != nil || s.PoolRate != "0.3" {
		t.Errorf("S001's pool_rate = %q (%v), want 0.3", s.PoolRate, err)
	}
	bad, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("# 参数\ndefaults:\n  pool_rate: 0.3  # 比例\n\tss_divisor: 2\n"))
	os.WriteFile(p, bad, 0o644)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(msg.Text(msg.ZH, err), "第 4 行：有不能作为内容开头的字符（制表符") {
		t.Errorf("a mistake in a GBK file: want it named at line 4, got %v", err)
	}
}

// TestTargetsAsPercentages: a target written as a percentage, as a service manager writes it, is
// its fraction; a number stays as written; a target of a KPI that is not a rate may exceed 1.
func TestTargetsAsPercentages(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(p, []byte("targets:\n  csi: 90%\n  complaint_rate: 1.5 %\n  on_time_rate: 0.950\n  revenue: 1200000\n  ftfr: .96\n"), 0o644)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"csi": "0.9", "complaint_rate": "0.015", "on_time_rate": "0.950", "revenue": "1200000", "ftfr": ".96"} {
		if c.Targets[k] != want {
			t.Errorf("target %s = %q, want %q", k, c.Targets[k], want)
		}
	}
}
