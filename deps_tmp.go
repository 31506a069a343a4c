package main
import (
 _ "charm.land/bubbletea/v2"
 _ "charm.land/bubbles/v2/key"
 _ "charm.land/bubbles/v2/viewport"
 _ "charm.land/lipgloss/v2"
 _ "github.com/charmbracelet/x/exp/teatest/v2"
 _ "github.com/charmbracelet/x/ansi"
 _ "github.com/tmaxmax/go-sse"
)
func main(){}
