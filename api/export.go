package api

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Curl renders r as a shell command that sends the same request with curl.
// The key is written as $RUNTYPE_API_KEY, never its value, so the command
// can be pasted into a ticket. The body goes through a quoted here-document,
// which needs no escaping whatever the JSON holds.
func (c *Client) Curl(r Request) string {
	var b strings.Builder
	b.WriteString("curl -sN -X " + r.Method + " " + shellQuote(c.URL(r)) + " \\\n")
	b.WriteString("  -H \"Authorization: Bearer $RUNTYPE_API_KEY\" \\\n")
	b.WriteString("  -H 'Content-Type: application/json' \\\n")
	b.WriteString("  -H 'Accept: text/event-stream' \\\n")
	b.WriteString("  --data-binary @- <<'RTINSPECT_JSON'\n")
	b.WriteString(IndentBody(r.Body))
	b.WriteString("\nRTINSPECT_JSON\n")
	return b.String()
}

// IndentBody returns a JSON body indented two spaces per level (the body
// as it is when it is not JSON).
func IndentBody(body []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		return string(body)
	}
	return out.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
