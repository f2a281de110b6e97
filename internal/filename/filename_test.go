package filename

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestPart(t *testing.T) {
	// "+" marks a part that ends in "~~" and the first 8 bytes of the id's SHA-256 in hex: the id
	// has a letter with another case than ASCII A–Z, or is not in NFC
	for id, want := range map[string]string{
		"S001":         "S001",
		"SH_01-A":      "SH_01-A",
		"sh_01-a":      "sh_01-a+",
		"上海浦东店":        "上海浦东店",
		"../../X":      "~2E~2E~2F~2E~2E~2FX",
		"../../x":      "~2E~2E~2F~2E~2E~2Fx+",
		`A\B`:          "A~5CB",
		"A B":          "A~20B",
		"A~7E":         "A~7E7E",
		"~":            "~7E",
		"":             "~",
		"CON":          "CON",
		"A:B*C?":       "A~3AB~2AC~3F",
		"\u202eEVIL":   "~E2~80~AEEVIL",
		"X\x00Y":       "X~00Y",
		"BAD\xffUTF8":  "BAD~FFUTF8",
		"Ｓ００１":         "Ｓ００１+", // full-width S has a lower case ｓ
		"００１":          "００１",
		"店\u30001":     "店~E3~80~801", // an ideographic space
		"É01":          "É01+",
		"\u212A01":     "\u212A01+",     // the Kelvin sign folds to k
		"\uAC00":       "\uAC00",        // 가, NFC
		"\u1100\u1161": "\u1100\u1161+", // 가 as two jamo: NFD, the same name on macOS
		"\u2160":       "~E2~85~A0",     // Ⅰ, a number, not a letter: escaped
	} {
		if h, ok := strings.CutSuffix(want, "+"); ok {
			sum := sha256.Sum256([]byte(id))
			want = h + "~~" + hex.EncodeToString(sum[:8])
		}
		if got := Part(id); got != want {
			t.Errorf("Part(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestPartIgnoringCase: on a file system that ignores case and Unicode normalization (Windows,
// macOS), parts of distinct ids are still distinct; LegacyPart, the parts of earlier versions,
// were not.
func TestPartIgnoringCase(t *testing.T) {
	long := strings.Repeat("S", 120)
	ids := []string{"S001", "s001", "S001a", "S001A", "Ｓ００１", "ｓ００１", "\u212A01", "K01", "k01",
		"É01", "é01", "e\u030101", "\uAC00", "\u1100\u1161", "SS", "ss", "ß", "ẞ", "sh_01-a", "SH_01-A", "Sh_01-a",
		"~7E", "~7e", "A~B", "a~b", long, strings.ToLower(long), long + "x", "上海店", "上海店a", "上海店A"}
	seen := map[string]string{}
	for _, id := range ids {
		key := norm.NFD.String(strings.ToLower(norm.NFD.String(Part(id))))
		if prev, ok := seen[key]; ok {
			t.Errorf("%q and %q give parts %q and %q, the same name ignoring case", prev, id, Part(prev), Part(id))
		}
		seen[key] = id
	}
	if !strings.EqualFold(LegacyPart("s001"), LegacyPart("S001")) || LegacyPart("s001") != "s001" || LegacyPart("../x") != "~2E~2E~2Fx" {
		t.Errorf("LegacyPart: %q %q %q", LegacyPart("s001"), LegacyPart("S001"), LegacyPart("../x"))
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
