package main

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// TestFilterGoldenScreens pins the events pane under a filter, and the
// input line while a filter with a mistake is typed, at the two reference
// sizes. Refresh with `go test -run TestFilterGoldenScreens -update .` and
// review the diff.
func TestFilterGoldenScreens(t *testing.T) {
	typeText := func(m interface {
		Update(tea.Msg) (tea.Model, tea.Cmd)
	}, s string) {
		for _, r := range s {
			m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("filtered_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			m.Update(keyPress("/"))
			typeText(m, `tool:add_to_cart !type:await text:"SHOE-00[17]"`)
			m.Update(keyPress("enter"))
			got := screen(m)
			if !strings.Contains(got, "Events 2/9") {
				t.Errorf("the filtered pane does not say 2 of 9:\n%s", got)
			}
			golden.RequireEqual(t, []byte(got))
		})
		t.Run(fmt.Sprintf("typing_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			m.Update(keyPress("/"))
			typeText(m, "tool:add tol:x")
			got := screen(m)
			if !strings.Contains(got, `unknown field "tol" at 10`) {
				t.Errorf("the error is not on screen:\n%s", got)
			}
			golden.RequireEqual(t, []byte(got))
		})
	}
}
