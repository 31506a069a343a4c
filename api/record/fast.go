package record

import (
	"bufio"
	"bytes"
	"unicode/utf8"
	"unsafe"

	"rtinspect/api/internal/jsonesc"
)

// This file is the reader's fast path for frame lines, nearly every line of
// a recording: a frame line as the Writer writes it is decoded by hand,
// about five times faster than by json.Unmarshal (with a third of the
// allocations), which was most of the time `rtinspect open` took to read a
// large recording and, while it loaded, most of the CPU it took from the
// screen.
//
// Correctness never depends on it: it takes only the members the Writer
// writes for a frame, in the Writer's order, each once, with plain values,
// and returns exactly what json.Unmarshal into a zero Record returns for
// them. Anything else (another kind, another key or order, spaces, null,
// a number that is not a plain integer, invalid JSON) is left to
// encoding/json, as is every message about a broken line.

// frameHead is how the Writer starts a frame line.
const frameHead = `{"kind":"frame"`

// frameKeys are the members that may follow the kind in a frame line, in
// the Writer's order (Record's field order).
var frameKeys = [...]string{`,"stream":`, `,"at":`, `,"event":`, `,"id":`, `,"data":`}

// parseFrameLine decodes a frame line (without its newline) into rec, a
// zero Record, as json.Unmarshal would; ok is false when it cannot vouch
// for the result, and rec must then be ignored.
func parseFrameLine(b []byte, rec *Record) (ok bool) {
	if !bytes.HasPrefix(b, []byte(frameHead)) {
		return false
	}
	rec.Kind = KindFrame
	i := len(frameHead)
	next := 0 // frameKeys[next:] may still come
	for {
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return i+1 == len(b)
		}
		k := next
		for k < len(frameKeys) && !bytes.HasPrefix(b[i:], []byte(frameKeys[k])) {
			k++
		}
		if k == len(frameKeys) {
			return false
		}
		i += len(frameKeys[k])
		next = k + 1
		if k == 0 {
			n, j, ok := plainInt(b, i)
			if !ok {
				return false
			}
			rec.Stream, i = n, j
			continue
		}
		a, z, flags, ok := jsonString(b, i)
		if !ok {
			return false
		}
		i = z + 1
		switch k {
		case 1:
			// encoding/json hands time.Time's UnmarshalJSON the quoted
			// value as it is; escapes are left to it.
			if flags&strEscaped != 0 || rec.At.UnmarshalJSON(b[a-1:z+1]) != nil {
				return false
			}
		case 2:
			rec.Event = decodeString(b[a:z], flags)
		case 3:
			rec.ID = decodeString(b[a:z], flags)
		case 4:
			s := decodeString(b[a:z], flags)
			rec.Data = &s
		}
	}
}

// plainInt reads a non-negative integer of at most 18 digits (it cannot
// overflow an int) at b[i:], followed by ',' or '}': no sign, no leading
// zero, no fraction or exponent.
func plainInt(b []byte, i int) (n, end int, ok bool) {
	j := i
	for j < len(b) && j-i <= 18 && '0' <= b[j] && b[j] <= '9' {
		n = n*10 + int(b[j]-'0')
		j++
	}
	if j == i || j-i > 18 || (b[i] == '0' && j-i > 1) || j == len(b) || (b[j] != ',' && b[j] != '}') {
		return 0, 0, false
	}
	return n, j, true
}

// String flags.
const (
	strEscaped = 1 << iota // holds a backslash escape
	strHigh                // holds a byte >= 0x80
)

// jsonString validates the JSON string at b[i] (a '"') and returns the
// bounds of its content, b[a:z] (b[z] is the closing quote), and whether it
// holds escapes or non-ASCII bytes. A control character or an invalid
// escape makes it invalid JSON: ok is false.
func jsonString(b []byte, i int) (a, z, flags int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, 0, false
	}
	a = i + 1
	for j := a; j < len(b); {
		// Skip the bytes that need no attention.
		for j < len(b) && plain[b[j]] {
			j++
		}
		if j >= len(b) {
			break
		}
		switch c := b[j]; {
		case c == '"':
			return a, j, flags, true
		case c < 0x20:
			return 0, 0, 0, false
		case c == '\\':
			flags |= strEscaped
			if j+1 >= len(b) {
				return 0, 0, 0, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || jsonesc.Hex4(b[j+2:j+6]) < 0 {
					return 0, 0, 0, false
				}
				j += 6
			default:
				return 0, 0, 0, false
			}
		default: // >= 0x80
			flags |= strHigh
			j++
		}
	}
	return 0, 0, 0, false
}

// plain has the bytes a JSON string holds as they are, in ASCII: not the
// quote, the backslash, a control character or a byte of non-ASCII UTF-8.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// decodeString returns the content of a validated JSON string as
// encoding/json decodes it: escapes resolved, a lone or broken surrogate
// escape and every byte of invalid UTF-8 made U+FFFD.
func decodeString(s []byte, flags int) string {
	valid := flags&strHigh == 0 || utf8.Valid(s)
	if flags&strEscaped == 0 && valid {
		return string(s)
	}
	out := make([]byte, 0, len(s)+2*utf8.UTFMax)
	if !valid {
		out = jsonesc.AppendDecoded(out, s)
	} else {
		// Valid UTF-8: copy from escape to escape.
		for r := 0; r < len(s); {
			j := bytes.IndexByte(s[r:], '\\')
			if j < 0 {
				out = append(out, s[r:]...)
				break
			}
			out = append(out, s[r:r+j]...)
			out, r = jsonesc.Unescape(s, r+j, out)
		}
	}
	if len(out) == 0 {
		return ""
	}
	// out is this string's own and never written again: no second copy.
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// readLine is bufio.Reader.ReadBytes('\n') without a copy per line: the
// bytes are the reader's buffer, or *long for a line longer than it, and
// are good until the next read.
func readLine(br *bufio.Reader, long *[]byte) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, err
	}
	*long = append((*long)[:0], b...)
	for {
		b, err = br.ReadSlice('\n')
		*long = append(*long, b...)
		if err != bufio.ErrBufferFull {
			return *long, err
		}
	}
}
