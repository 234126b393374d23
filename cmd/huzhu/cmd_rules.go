package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"huzhu/internal/config"
	"huzhu/marts"
)

type rulesOptions struct {
	config string
	json   bool
}

func newRulesCmd(e *env) *cobra.Command {
	o := &rulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules [--config FILE] [--json]",
		Short: "Print the compliance rule catalogue with the clauses it enforces and the thresholds in force",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := config.DefaultRules()
			source := "defaults of rules.md"
			if o.config != "" {
				cfg, err := config.Load(o.config)
				if err != nil {
					return err
				}
				rules, source = cfg.Rules, o.config
			}
			type row struct {
				marts.Rule
				Threshold string `json:"threshold"`
			}
			var out []row
			for _, r := range marts.Catalogue() {
				out = append(out, row{r, r.Threshold(rules)})
			}
			if o.json {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(map[string]any{"thresholds_from": source, "rules": out})
			}
			fmt.Fprintf(e.stdout, "Compliance rules of 总工发〔2018〕28号 (thresholds: %s)\n\n", source)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCLAUSE\tSEVERITY\tTHRESHOLD\tCHECK")
			for _, r := range out {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Clause, r.Severity, r.Threshold, r.Check)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout)
			for _, r := range out {
				fmt.Fprintf(e.stdout, "%s  %s  第%s条: 「%s」\n", r.ID, r.Name, r.Clause, r.ClauseText)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "take the thresholds of this config's [rules] (default: rules.md's defaults)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}
