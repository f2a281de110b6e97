package read

import (
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// gb18030Decoder gives x/text's GB18030 decoder only the parts of the text that are not ASCII
// and copies the ASCII between them as it is: most bytes of a DMS export are digits, dates and
// codes, which the decoder otherwise handles one rune at a time (3 % of a scale-S ingest's CPU).
// The output is the decoder's, byte for byte (FuzzGB18030Decoder): ASCII at a character boundary
// is itself, and a byte below 0x30 (delimiters, line ends, space, quotes) is never part of a
// multi-byte GB18030 character, so a run of other bytes that ends before one is whole.
//
// With flagUTF8, a run that is UTF-8 Chinese text (utf8CJK) is not decoded: mixedMark takes its
// place, and the record holding it is rejected as a file of mixed encodings (csvSource.Next).
// Decoded as GB18030, such a run would give other Chinese characters with no error at all — a
// file found to be GBK (at its start, or at its first non-ASCII byte) that goes on in UTF-8,
// such as two exports joined into one, loaded garbled names and texts silently.
type gb18030Decoder struct {
	inner    transform.Transformer
	flagUTF8 bool
}

// mixedMark stands for a run of UTF-8 text in the output of a GB18030 decoder: U+FFFD, which
// the record check looks for, then U+FDD0, a noncharacter that no export writes.
const mixedMark = "\uFFFD\uFDD0"

// utf8CJK reports whether a run of bytes decoded as GB18030 is UTF-8 Chinese text instead: valid
// UTF-8 whose non-ASCII characters are all CJK or full-width (U+3000–9FFF, U+FF00–FFEF), at
// least three. GBK text is often valid UTF-8 by chance, but as two-byte sequences (Latin,
// Greek, Cyrillic); runs of three or more UTF-8 CJK characters came up in none of the 16 M runs
// of the bench's GBK files, nor in 3 M runs of one to six random GBK hanzi.
func utf8CJK(run []byte) bool {
	if !utf8.Valid(run) {
		return false
	}
	n := 0
	for _, r := range string(run) {
		switch {
		case r >= 0x3000 && r <= 0x9FFF || r >= 0xFF00 && r <= 0xFFEF:
			n++
		case r >= utf8.RuneSelf:
			return false
		}
	}
	return n >= 3
}

func (d gb18030Decoder) Reset() { d.inner.Reset() }

func (d gb18030Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		// ASCII, at a character boundary: copied
		i, end := nSrc, nSrc+len(dst)-nDst
		if end > len(src) {
			end = len(src)
		}
		for i < end && src[i] < 0x80 {
			i++
		}
		nDst += copy(dst[nDst:], src[nSrc:i])
		nSrc = i
		if nSrc == len(src) {
			break
		}
		if src[nSrc] < 0x80 {
			return nDst, nSrc, transform.ErrShortDst
		}
		// then up to the next byte below 0x30 (a character boundary): the decoder's
		j := nSrc + 1
		for j < len(src) && src[j] >= 0x30 {
			j++
		}
		if d.flagUTF8 && utf8CJK(src[nSrc:j]) {
			if len(dst)-nDst < len(mixedMark) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += copy(dst[nDst:], mixedMark)
			nSrc = j
			continue
		}
		nd, ns, err := d.inner.Transform(dst[nDst:], src[nSrc:j], atEOF || j < len(src))
		nDst += nd
		nSrc += ns
		if err != nil {
			return nDst, nSrc, err
		}
	}
	return nDst, nSrc, nil
}
