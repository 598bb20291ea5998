package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// pflagInvalid matches pflag's message for a value its parser refused.
var pflagInvalid = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([^"]+)" flag: `)

// flagTypeWords says what a value of each pflag type must be.
var flagTypeWords = map[string]string{
	"bool":        "true or false (e.g. --flag or --flag=false)",
	"int":         "an integer",
	"int32":       "an integer in [-2147483648, 2147483647]",
	"int64":       "an integer",
	"uint":        "an integer >= 0",
	"uint64":      "an integer >= 0",
	"float64":     "a number",
	"float32":     "a number",
	"intSlice":    "comma-separated integers",
	"duration":    "a duration such as 30s or 5m",
	"stringSlice": "comma-separated values",
}

// flagError turns pflag's strconv messages into one line naming the flag,
// the value and what is allowed.
func flagError(cmd *cobra.Command, err error) error {
	m := pflagInvalid.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	value, name := m[1], m[2]
	want := "a valid value"
	if f := cmd.Flags().Lookup(name); f != nil {
		if w, ok := flagTypeWords[f.Value.Type()]; ok {
			want = w
		}
	}
	if strings.Contains(err.Error(), "value out of range") {
		want += " (the value is out of range)"
	}
	return fmt.Errorf("--%s = %q: must be %s", name, value, want)
}
