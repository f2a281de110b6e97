package filename

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPart(t *testing.T) {
	for id, want := range map[string]string{
		"S001":        "S001",
		"sh_01-a":     "sh_01-a",
		"上海浦东店":       "上海浦东店",
		"../../x":     "~2E~2E~2F~2E~2E~2Fx",
		`a\b`:         "a~5Cb",
		"a b":         "a~20b",
		"a~7E":        "a~7E7E",
		"~":           "~7E",
		"":            "~",
		"CON":         "CON",
		"a:b*c?":      "a~3Ab~2Ac~3F",
		"\u202eevil":  "~E2~80~AEevil",
		"x\x00y":      "x~00y",
		"bad\xffutf8": "bad~FFutf8",
		"Ｓ００１":        "Ｓ００１",
		"店\u30001":    "店~E3~80~801", // an ideographic space
	} {
		if got := Part(id); got != want {
			t.Errorf("Part(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestPartIsSafeAndInjective: no part leaves its folder or holds a separator, and distinct ids
// (hostile ones, ids differing in one escaped character, long ids sharing a prefix) never share one.
func TestPartIsSafeAndInjective(t *testing.T) {
	long := strings.Repeat("店", 40)
	ids := []string{"S001", "S_001", "S-001", "S.001", "S/001", "S~2F001", "S~001", "S 001", "s001",
		"上海店", "北京店", "___", "~", "", "..", ".", "/", "~2E~2E", "x/../../../../tmp/evil",
		long, long + "a", long + "b", long + "~~", strings.Repeat("a", 300), strings.Repeat("a", 301),
		strings.Repeat("~", 100), strings.Repeat("~", 101), "a\x00b", "a\x01b", "\xff", "\xfe"}
	seen := map[string]string{}
	for _, id := range ids {
		p := Part(id)
		if prev, ok := seen[p]; ok {
			t.Errorf("%q and %q share the part %q", prev, id, p)
		}
		seen[p] = id
		name := "工资表-" + p + "-2026-09.xlsx"
		if strings.ContainsAny(p, `/\:*?"<>|`+"\x00") || filepath.Base(name) != name || filepath.Join("out", name) != "out/"+name {
			t.Errorf("Part(%q) = %q is not a plain file name part", id, p)
		}
		if len(p) > maxPart || !utf8.ValidString(p) {
			t.Errorf("Part(%q) = %q: %d bytes, valid UTF-8 %v", id, p, len(p), utf8.ValidString(p))
		}
	}
}
