package jsonesc

import (
	"encoding/json"
	"testing"
)

// TestUnescapeMatchesEncodingJSON decodes every kind of escape, from a
// string and from bytes, and compares with encoding/json.
func TestUnescapeMatchesEncodingJSON(t *testing.T) {
	for _, quoted := range []string{
		`"\""`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\u00e9"`, `"\u00E9"`,
		`"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(quoted), &want); err != nil {
			t.Fatal(err)
		}
		s := quoted[1 : len(quoted)-1]
		for name, got := range map[string]string{"string": unescapeAll(s), "bytes": unescapeAll([]byte(s))} {
			if got != want {
				t.Errorf("%s %s: got %q, want %q", name, quoted, got, want)
			}
		}
	}
}

func unescapeAll[T text](s T) string {
	var b []byte
	for r := 0; r < len(s); {
		if s[r] == '\\' {
			b, r = Unescape(s, r, b)
			continue
		}
		b = append(b, s[r])
		r++
	}
	return string(b)
}

func TestHex4(t *testing.T) {
	for in, want := range map[string]rune{"00e9": 0xe9, "FFFF": 0xffff, "12": -1, "12g4": -1, "abcd": 0xabcd} {
		if got := Hex4(in); got != want {
			t.Errorf("Hex4(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestAppendDecodedMatchesEncodingJSON decodes strings with escapes and
// invalid UTF-8, from a string and from bytes.
func TestAppendDecodedMatchesEncodingJSON(t *testing.T) {
	for _, body := range []string{"plain", `a\nb\u00e9`, "caf\xc3\xa9", "bad \xff byte", "cut \xe2\x82", "\\ud83d\\ude00 and \xff"} {
		var want string
		if err := json.Unmarshal([]byte(`"`+body+`"`), &want); err != nil {
			t.Fatal(err)
		}
		if got := string(AppendDecoded(nil, body)); got != want {
			t.Errorf("string %q: got %q, want %q", body, got, want)
		}
		if got := string(AppendDecoded(nil, []byte(body))); got != want {
			t.Errorf("bytes %q: got %q, want %q", body, got, want)
		}
	}
}
