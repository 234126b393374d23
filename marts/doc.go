// Package marts builds the public mart tables (../shared/spec/marts.md) and
// the compliance findings from the core star schema.
//
// So far it holds the rule catalogue: the compliance rules R01–R19 of
// rules.md with the clause of 总工发〔2018〕28号 each enforces (in the
// clause's own words), what it checks, its severity and its threshold,
// whose value in force comes from the [rules] section of the config. The
// mart models and the rule models join it as the marts stage lands.
package marts
