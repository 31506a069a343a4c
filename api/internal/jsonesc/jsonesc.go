// Package jsonesc decodes the escapes of JSON strings. The hand-written
// scanners of SSE frames (package api) and of recordings (package
// record) share it, so both read an escape exactly as encoding/json does.
package jsonesc

import (
	"unicode/utf16"
	"unicode/utf8"
)

// text is what the scanners hold a frame or a line in.
type text interface{ ~string | ~[]byte }

// Unescape appends the escape at s[r] (a backslash, already validated: a
// known escape, four hex digits after \u) to b and returns the index after
// it. A lone or broken surrogate becomes U+FFFD, as in encoding/json.
func Unescape[T text](s T, r int, b []byte) ([]byte, int) {
	switch s[r+1] {
	case 'b':
		b = append(b, '\b')
	case 'f':
		b = append(b, '\f')
	case 'n':
		b = append(b, '\n')
	case 'r':
		b = append(b, '\r')
	case 't':
		b = append(b, '\t')
	case 'u':
		rr := Hex4(s[r+2:])
		r += 6
		if utf16.IsSurrogate(rr) {
			if r+6 <= len(s) && s[r] == '\\' && s[r+1] == 'u' {
				if dec := utf16.DecodeRune(rr, Hex4(s[r+2:])); dec != utf8.RuneError {
					return utf8.AppendRune(b, dec), r + 6
				}
			}
			rr = utf8.RuneError
		}
		return utf8.AppendRune(b, rr), r
	default: // '"', '\\', '/'
		b = append(b, s[r+1])
	}
	return b, r + 2
}

// AppendDecoded appends the content of a validated JSON string (between
// its quotes) to b as encoding/json decodes it: escapes resolved, every
// byte of invalid UTF-8 made U+FFFD.
func AppendDecoded[T text](b []byte, s T) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			b, r = Unescape(s, r, b)
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := decodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return b
}

// decodeRune is utf8.DecodeRune for either kind of text.
func decodeRune[T text](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.DecodeRuneInString(string(s))
}

// Hex4 is the value of the four hex digits s starts with, or -1 when they
// are not four hex digits.
func Hex4[T text](s T) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
