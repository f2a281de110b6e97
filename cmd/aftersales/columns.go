package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
)

func init() { extraCommands = append(extraCommands, newColumnsCmd) }

// newColumnsCmd: the columns of each input kind and the headers and values ingest accepts for
// them — what a clerk needs to rename a header the DMS wrote otherwise. Ingest's messages about
// headers point here (the source's ingest/kind_*.go is not on an office PC).
func newColumnsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "columns [KIND...]",
		Short: "List each input kind's columns, with the headers and values ingest accepts",
		Long: `List the columns of each input kind (or of the kinds named): whether it is required, its type,
the headers accepted for it, and for a column of fixed values the words accepted for each.
Headers are matched ignoring case, spaces, full-width forms and a trailing unit such as (元).`,
		Example: `  aftersales columns
  aftersales columns work_orders`,
		RunE: func(c *cobra.Command, args []string) error {
			var kinds []*ingest.Kind
			for _, a := range args {
				k, err := ingest.KindByName(a)
				if err != nil {
					return usage("%v", err)
				}
				kinds = append(kinds, k)
			}
			if len(kinds) == 0 {
				kinds = ingest.Kinds()
			}
			w := c.OutOrStdout()
			for i, k := range kinds {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintln(w, msg.T(lang, "%s %s (natural key: %s)", k.Label, k.Name, strings.Join(k.Key, ", ")))
				t := &textTable{}
				t.add([]string{msg.T(lang, "column"), msg.T(lang, "requirement"), msg.T(lang, "type"), msg.T(lang, "accepted headers"), msg.T(lang, "accepted values")})
				for _, col := range k.Columns {
					typ := typeText(col.Type)
					if col.Max > col.Min {
						typ += fmt.Sprintf(" %d–%d", col.Min, col.Max)
					}
					t.add([]string{col.Name, requiredText(&col), typ, strings.Join(col.Aliases, " / "), enumText(&col)})
				}
				if err := t.write(w); err != nil {
					return err
				}
			}
			fmt.Fprintln(w)
			fmt.Fprintln(w, msg.T(lang, "required*: may come from --store instead. Headers match ignoring case, spaces, full-width forms and a trailing unit such as (元); the canonical name is always accepted."))
			return nil
		},
	}
}

func requiredText(c *ingest.Column) string {
	switch {
	case c.Name == "store_id":
		return msg.T(lang, "required*")
	case c.Required:
		return msg.T(lang, "required")
	case c.Default == "false":
		return msg.T(lang, "optional, no if empty")
	case c.Default != "":
		return msg.T(lang, "optional, %s if empty", c.Default)
	}
	return msg.T(lang, "optional")
}

func typeText(t ingest.ColType) string {
	switch t {
	case ingest.ID:
		return msg.T(lang, "identifier")
	case ingest.Enum:
		return msg.T(lang, "one of")
	case ingest.Int:
		return msg.T(lang, "whole number")
	case ingest.Decimal:
		return msg.T(lang, "decimal")
	case ingest.Timestamp:
		return msg.T(lang, "date and time")
	case ingest.Month:
		return msg.T(lang, "month")
	case ingest.Bool:
		return msg.T(lang, "yes/no")
	case ingest.VIN:
		return "VIN"
	}
	return msg.T(lang, "text")
}

// enumText lists a fixed-values column's canonical words, each with the other words accepted for it.
func enumText(c *ingest.Column) string {
	if len(c.Enum) == 0 {
		return ""
	}
	words := map[string][]string{}
	for spelling, canon := range c.Enum {
		if spelling != canon && spelling != strings.ToLower(parse.HeaderKey(canon)) { // (the folded canonical word)
			words[canon] = append(words[canon], spelling)
		} else if _, ok := words[canon]; !ok {
			words[canon] = nil
		}
	}
	canons := make([]string, 0, len(words))
	for canon := range words {
		canons = append(canons, canon)
	}
	sort.Strings(canons)
	parts := make([]string, len(canons))
	for i, canon := range canons {
		sort.Strings(words[canon])
		parts[i] = canon
		if len(words[canon]) > 0 {
			parts[i] += " " + strings.Join(words[canon], "/")
		}
	}
	return strings.Join(parts, "; ")
}
