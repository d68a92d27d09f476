package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpComplete checks every command's --help: a Long description and
// an Example; and, for the matching, scoring and listening commands, no
// pointers to the project's internal spec, which users of the binary do not
// have.
func TestHelpComplete(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" || c.Hidden {
			return
		}
		if c.Long == "" || c.Example == "" {
			t.Errorf("%s: --help lacks a Long description or an Example", c.CommandPath())
		}
		top := strings.Fields(c.CommandPath() + " x")[1]
		if strings.Contains("match bench loss losses stats report listen", top) && strings.Contains(c.Long, "METHOD") {
			t.Errorf("%s: --help refers to METHOD, which users do not have", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
}

// TestFlagErrorNamesCommand checks that a bad flag is a user error whose
// hint names the whole command, subcommands included.
func TestFlagErrorNamesCommand(t *testing.T) {
	rootCmd.SetArgs([]string{"stats", "kruskal", "--no-such-flag", "x.csv"})
	err := rootCmd.Execute()
	var ue usageError
	if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), "see 'soundmatch stats kruskal --help'") {
		t.Errorf("stats kruskal --no-such-flag: %v, want a user error pointing to 'soundmatch stats kruskal --help'", err)
	}
	// main prints "soundmatch: " before the message: it must not name the
	// root twice.
	if err != nil && strings.HasPrefix(err.Error(), "soundmatch ") {
		t.Errorf("flag error %q starts with the root command's name", err)
	}
	rootCmd.SetArgs([]string{"--no-such-flag"})
	if err := rootCmd.Execute(); err == nil || strings.HasPrefix(err.Error(), "soundmatch") {
		t.Errorf("root --no-such-flag: %v", err)
	}
}
