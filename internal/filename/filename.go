// Package filename turns identifiers from the data (store ids) into parts of file names.
//
// A store id is whatever the DMS export holds: `S001`, `上海浦东店`, or `../../x`. The files named
// after it (dashboard pages, report and payroll workbooks) must stay in their folder, and two
// stores must never share a file: a page written over another is a store's figures shown under
// the other's name. Part is therefore safe and injective.
package filename

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxPart bounds the bytes of a part, so that a prefix, the part and a suffix stay well under the
// 255 bytes most file systems allow in a name (a Chinese character takes 3).
const maxPart = 96

// Part is id as a piece of a file name: letters and digits of any script, '-' and '_' stay as they
// are; every other character (path separators, dots, spaces, '~', control and format characters,
// what Windows forbids) becomes '~' and two upper-case hex digits per byte of its UTF-8 encoding,
// so distinct ids give distinct parts and no part holds a separator. An empty id is "~". A part
// longer than 96 bytes is cut at a character boundary and ends in "~~" and 16 hex digits of the
// id's SHA-256 ("~~" never occurs otherwise: a literal '~' is written "~7E"). The result needs no
// escaping in a URL path but its non-ASCII letters.
//
// Distinct ids also give parts that differ on a file system that ignores case or Unicode
// normalization (Windows, macOS): an id whose kept letters include one with a case other than
// ASCII A–Z (`s001`, `Ｓ００１`, `É`), or that is not in Unicode NFC, ends in "~~" and 16 hex digits
// of its SHA-256 as well, so `s001` and `S001` never share a page, a workbook or a closed
// payroll's snapshot. Ids of digits, ASCII capitals, '-', '_' and scripts without case (Chinese)
// keep their plain part.
func Part(id string) string {
	s, plain := escape(id)
	if plain && len(s) <= maxPart {
		return s
	}
	return hashed(id, s)
}

// LegacyPart is Part as it was before it set case-sensitive ids apart (without the hash suffix
// of a cased or non-NFC id): where earlier versions wrote a closed payroll's snapshot.
func LegacyPart(id string) string {
	s, _ := escape(id)
	if len(s) <= maxPart {
		return s
	}
	return hashed(id, s)
}

// hashed is the escaped id s, cut at a character boundary to leave room, then "~~" and 16 hex
// digits of the id's SHA-256.
func hashed(id, s string) string {
	sum := sha256.Sum256([]byte(id))
	cut := min(len(s), maxPart-18)
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// (an escape "~XY" cut in its middle is harmless: "~~" and the hash follow)
	return s[:cut] + "~~" + hex.EncodeToString(sum[:8])
}

// escape is id with every character but letters, digits, '-' and '_' escaped, and whether the
// result is the same under case folding and Unicode normalization as no other id's.
func escape(id string) (string, bool) {
	if id == "" {
		return "~", true
	}
	plain := norm.NFC.IsNormalString(id)
	var b strings.Builder
	for i := 0; i < len(id); {
		r, w := utf8.DecodeRuneInString(id[i:])
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_' {
			b.WriteString(id[i : i+w])
			if (r < 'A' || r > 'Z') && unicode.SimpleFold(r) != r {
				plain = false // a letter with another case
			}
		} else {
			// every byte of the character (or the one invalid byte) as ~XY
			for _, c := range []byte(id[i : i+w]) {
				b.WriteString("~" + strings.ToUpper(hex.EncodeToString([]byte{c})))
			}
		}
		i += w
	}
	return b.String(), plain
}
