package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/text/width"

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
			bands := rules.Risk.Bands()
			if o.json {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(map[string]any{"thresholds_from": source, "rules": out, "risk_bands": bands})
			}
			fmt.Fprintf(e.stdout, "Compliance rules of 总工发〔2018〕28号 (thresholds: %s)\n\n", source)
			t := [][]string{{"ID", "CLAUSE", "SEVERITY", "THRESHOLD", "CHECK"}}
			for _, r := range out {
				t = append(t, []string{r.ID, r.Clause, r.Severity, r.Threshold, r.Check})
			}
			printColumns(e.stdout, t)
			fmt.Fprintln(e.stdout)
			for _, r := range out {
				fmt.Fprintf(e.stdout, "%s  %s  第%s条: 「%s」\n     a finding names: %s\n", r.ID, r.Name, r.Clause, r.ClauseText, r.Evidence)
			}
			fmt.Fprintf(e.stdout, "\nRisk indicator bands (clause 十; [rules.risk]; red beyond the red band, else yellow beyond the yellow one)\n\n")
			t = [][]string{{"INDICATOR", "YELLOW", "RED", "BAD WHEN"}}
			for _, b := range bands {
				t = append(t, []string{b.Indicator, strconv.FormatFloat(b.Yellow, 'f', -1, 64), strconv.FormatFloat(b.Red, 'f', -1, 64), b.Direction})
			}
			printColumns(e.stdout, t)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "take the thresholds of this config's [rules] and [rules.risk] (default: rules.md's defaults)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

// printColumns prints rows as columns two spaces apart, padded by the cells
// a terminal gives each character: two for a wide (Chinese) one, which
// text/tabwriter counts as one.
func printColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], cells(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-cells(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// cells is how many terminal cells s takes.
func cells(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
