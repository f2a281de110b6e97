package read

import "golang.org/x/text/transform"

// gb18030Decoder gives x/text's GB18030 decoder only the parts of the text that are not ASCII
// and copies the ASCII between them as it is: most bytes of a DMS export are digits, dates and
// codes, which the decoder otherwise handles one rune at a time (3 % of a scale-S ingest's CPU).
// The output is the decoder's, byte for byte (FuzzGB18030Decoder): ASCII at a character boundary
// is itself, and a byte below 0x30 (delimiters, line ends, space, quotes) is never part of a
// multi-byte GB18030 character, so a run of other bytes that ends before one is whole.
type gb18030Decoder struct{ inner transform.Transformer }

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
		nd, ns, err := d.inner.Transform(dst[nDst:], src[nSrc:j], atEOF || j < len(src))
		nDst += nd
		nSrc += ns
		if err != nil {
			return nDst, nSrc, err
		}
	}
	return nDst, nSrc, nil
}
