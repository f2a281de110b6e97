package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/msg"
)

func init() { extraCommands = append(extraCommands, newColumnsCmd) }

// newColumnsCmd: the columns of each input kind and the headers and values ingest accepts for
// them — what a clerk needs to rename a header the DMS wrote otherwise. Ingest's messages about
// headers point here (the source's ingest/kind_*.go is not on an office PC).
func newColumnsCmd() *cobra.Command {
	var aliasesFile string
	c := &cobra.Command{
		Use:   "columns [KIND...]",
		Short: "List each input kind's columns, with the headers and values ingest accepts",
		Long: `List the columns of each input kind (or of the kinds named): whether it is required, its type,
the headers accepted for it, and for a column of fixed values the words accepted for each.
Headers are matched ignoring case, spaces, full-width forms and a trailing unit such as (元).
The headers and words the aliases file declares (data/aliases.yaml, or --aliases) are listed too.`,
		Example: `  aftersales columns
  aftersales columns work_orders
  aftersales columns --aliases 本店写法.yaml work_orders`,
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
			aliases, err := loadAliases(aliasesFile, !c.Flags().Changed("aliases"))
			if err != nil {
				return err
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
					headers := append(append([]string(nil), col.Aliases...), aliases.Headers(k.Name, col.Name)...)
					t.add([]string{col.Name, requiredText(&col), typ, strings.Join(headers, " / "), aliases.EnumWords(&col)})
				}
				if err := t.write(w); err != nil {
					return err
				}
			}
			fmt.Fprintln(w)
			fmt.Fprintln(w, msg.T(lang, "required*: may come from --store instead. Headers match ignoring case, spaces, full-width forms and a trailing unit such as (元); the canonical name is always accepted."))
			if !aliases.Empty() {
				fmt.Fprintln(w, msg.T(lang, "Including the headers and words declared in %s.", aliases.Path))
			} else {
				fmt.Fprintln(w, msg.T(lang, "A DMS that writes another header or word always: declare it in %s (headers:, values:), and ingest reads it as the one it means.", ingest.DefaultAliasesFile))
			}
			return nil
		},
	}
	c.Flags().StringVar(&aliasesFile, "aliases", "", "the aliases file whose headers and words to list too (default data/aliases.yaml when it exists)")
	return c
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
