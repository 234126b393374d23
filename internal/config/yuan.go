package config

import (
	"encoding/json"
	"fmt"
	"strconv"

	"huzhu/internal/money"
)

// Yuan is a threshold that is an amount of money, kept exact as
// money.Cents: never a float64. TOML gives it as an integer (500000), a
// float (499999.99, which the decoder has already made a float64: its
// shortest decimal form, the one written for any amount of at most two
// decimals, is what is read) or a string ("499999.99"). More than two
// decimals, thousands separators or text are errors, as money.Parse says.
type Yuan money.Cents

// Cents returns y as money.Cents.
func (y Yuan) Cents() money.Cents { return money.Cents(y) }

// String is the canonical form DuckDB casts to DECIMAL(18,2), e.g.
// "500000.00".
func (y Yuan) String() string { return money.Cents(y).String() }

// notYuan is the text of UnmarshalTOML's errors, by which decodeError
// knows them.
const notYuan = "is not an amount of yuan"

// UnmarshalTOML reads the value the TOML decoder found.
func (y *Yuan) UnmarshalTOML(v any) error {
	var s string
	switch v := v.(type) {
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		s = v
	default:
		return fmt.Errorf("%v %s", v, notYuan)
	}
	c, err := money.Parse(s)
	if err != nil {
		return fmt.Errorf("%q %s: %w", s, notYuan, err)
	}
	*y = Yuan(c)
	return nil
}

// MarshalJSON writes the canonical form as a JSON string (Config.Hash).
func (y Yuan) MarshalJSON() ([]byte, error) { return json.Marshal(y.String()) }
