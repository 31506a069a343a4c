package diff

import "testing"

func TestMaskIDs(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"messageId":"m_1","status":"sent"}`, `{"messageId":"<id>","status":"sent"}`},
		{`{"items":[{"id":"a","n":1},{"order_id":"b"}]}`, `{"items":[{"id":"<id>","n":1},{"order_id":"<id>"}]}`},
		{`{"requestID":7}`, `{"requestID":7}`},
		{`{"status":"shipped"}`, `{"status":"shipped"}`},
		{`not json`, `not json`},
	}
	for _, tc := range cases {
		if got := canonical(maskIDs([]byte(tc.in))); got != canonical([]byte(tc.want)) {
			t.Errorf("maskIDs(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
