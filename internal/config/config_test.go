package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"huzhu/internal/money"
)

// gz and sz are well-formed operator codes for the test files.
const (
	gz = "91440100MA5XXXXXXX"
	sz = "91440300MA5YYYYYYY"
)

// write puts text into a file named huzhu.toml in a fresh folder and
// returns its path.
func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "huzhu.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadGood(t *testing.T) {
	path := write(t, `
warehouse    = "var/h.duckdb"
out          = "/srv/huzhu/out"
memory_limit = "512MiB"
threads      = 2
[pseudonymise]
key_env = "MY_KEY"
[[source]]
operator = "`+gz+`"
kind     = "files"
path     = "drops/gz"
[[source]]
operator  = "`+gz+`"
kind      = "http"
url       = "http://127.0.0.1:9801"
token_env = "OPS_TOKEN_GZ"
[[source]]
operator = "`+sz+`"
kind     = "postgres"
dsn      = "postgres://reader@db/ops"
schema   = "mutual"
[rules]
mgmt_fee_ratio_max = 0.07
min_members        = 500
allowed_instruments = ["policy_bank_bond"]
[rules.risk]
solvency_yellow = 0.8
solvency_red    = 0.4
`)
	dir := filepath.Dir(path)
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wantRules := DefaultRules()
	wantRules.MgmtFeeRatioMax = 0.07
	wantRules.MinMembers = 500
	wantRules.AllowedInstruments = []string{"policy_bank_bond"}
	wantRules.Risk.SolvencyYellow, wantRules.Risk.SolvencyRed = 0.8, 0.4
	want := &Config{
		Warehouse:    filepath.Join(dir, "var/h.duckdb"),
		Out:          "/srv/huzhu/out",
		MemoryLimit:  "512MiB",
		Threads:      2,
		Pseudonymise: Pseudonymise{KeyEnv: "MY_KEY"},
		Site:         Site{SigningKeyEnv: DefaultSigningKeyEnv},
		Gates:        DefaultGates(),
		Sources: []Source{
			{Operator: gz, Kind: KindFiles, Path: filepath.Join(dir, "drops/gz")},
			{Operator: gz, Kind: KindHTTP, URL: "http://127.0.0.1:9801", TokenEnv: "OPS_TOKEN_GZ"},
			{Operator: sz, Kind: KindPostgres, DSN: "postgres://reader@db/ops", Schema: "mutual"},
		},
		Rules: wantRules,
		file:  path,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load = %+v\nwant   %+v", got, want)
	}
	if got.File() != path {
		t.Errorf("File() = %q, want %q", got.File(), path)
	}
}

func TestLoadDefaults(t *testing.T) {
	cases := []struct {
		name string
		text string
	}{
		{"empty file", ""},
		{"empty tables", "[pseudonymise]\n[rules]\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.text)
			dir := filepath.Dir(path)
			got, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			want.Warehouse = filepath.Join(dir, DefaultWarehouse)
			want.Out = filepath.Join(dir, DefaultOut)
			want.file = path
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Load(%q) = %+v\nwant %+v", tc.text, *got, want)
			}
		})
	}
}

func TestDefaultRulesMatchCatalogue(t *testing.T) {
	// The values of rules.md, spelled out once more so that an edit to
	// DefaultRules has to be deliberate.
	want := Rules{0.08, Yuan(money.Yuan(500000)), 0.10, 0.05, 0.50, 1.00, 2.0, 0.25, 1000, 180, 0.01, Yuan(money.Yuan(1000)), 0, 10, nil,
		RiskBands{0.5, 0.25, 2.0, 1.0, 0.9, 1.1, 2.0, 3.5, 15, 30, 0.5, 0.7, -0.1, -0.3}}
	if got := DefaultRules(); !reflect.DeepEqual(got, want) {
		t.Errorf("DefaultRules() = %+v, want %+v", got, want)
	}
}

// TestAmountsExact: a threshold in yuan is read to the cent whichever way
// TOML writes it, and a float that is no exact decimal in binary
// (499999.99) is the amount written, not its nearest double.
func TestAmountsExact(t *testing.T) {
	for _, tc := range []struct {
		text string
		want money.Cents
	}{
		{"large_payment_yuan = 499999.99", 49999999},
		{"large_payment_yuan = 300000", 30000000},
		{`large_payment_yuan = "0.10"`, 10},
		{"large_payment_yuan = 0.1", 10},
		{"large_payment_yuan = 1e3", 100000},
	} {
		c, err := Load(write(t, "[rules]\n"+tc.text+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		if got := c.Rules.LargePaymentYuan.Cents(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.text, got, tc.want)
		}
	}
	c, err := Load(write(t, "[rules]\nvoucher_imbalance_yuan = 0.01\n"))
	if err != nil || c.Rules.VoucherImbalanceYuan.String() != "0.01" || c.Rules.IncomeGapYuan.String() != "1000.00" {
		t.Errorf("voucher_imbalance_yuan = 0.01: %+v, %v", c, err)
	}
}

func TestLoadRelativePaths(t *testing.T) {
	// The file is loaded by a relative path from another working
	// directory: paths in it are still taken from the file's own folder.
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := `
warehouse = "../var/h.duckdb"
out       = "out"
[[source]]
operator = "` + gz + `"
kind     = "files"
path     = "drops/gz"
[[source]]
operator = "` + sz + `"
kind     = "files"
path     = "/data/drops/sz"
`
	if err := os.WriteFile(filepath.Join(root, "etc", "huzhu.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	c, err := Load(filepath.Join("etc", "huzhu.toml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, tc := range []struct {
		what, got, want string
	}{
		{"warehouse", c.Warehouse, filepath.Join(root, "var", "h.duckdb")},
		{"out", c.Out, filepath.Join(root, "etc", "out")},
		{"source[0].path", c.Sources[0].Path, filepath.Join(root, "etc", "drops", "gz")},
		{"source[1].path", c.Sources[1].Path, "/data/drops/sz"},
		{"File()", c.File(), filepath.Join(root, "etc", "huzhu.toml")},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.what, tc.got, tc.want)
		}
	}
}

func TestLoadInvalid(t *testing.T) {
	files := func(op string) string {
		return "[[source]]\noperator = \"" + op + "\"\nkind = \"files\"\npath = \"d\"\n"
	}
	cases := []struct {
		name string
		text string
		// want are substrings of the error, after the file name.
		want []string
	}{
		{"unknown top-level key", "warehous = \"x\"\n", []string{": warehous: unknown key"}},
		{"unknown rule", "[rules]\nmgmt_fee_ratio = 0.1\n", []string{": rules.mgmt_fee_ratio: unknown key"}},
		{"unknown key in second source", files(gz) + "[[source]]\noperator = \"" + sz + "\"\nkind = \"http\"\nurl = \"http://h\"\ntoken = \"x\"\n",
			[]string{": source[1].token: unknown key"}},
		{"unknown table", "[gate]\nmax_quarantined = 3\n", []string{": gate: unknown key", ": gate.max_quarantined: unknown key"}},
		{"unknown gate", "[gates]\nmax_quarantined = 3\n", []string{": gates.max_quarantined: unknown key"}},
		{"bad gates", "[gates]\nmax_quarantine_share = 2.0\nfatal_rules = [\"R10\", \"unbalanced\"]\nmax_warnings = -5\n[alerts]\nwebhook_url = \"hooks.example\"\n", []string{": gates.max_quarantine_share: 2 is not a share", ": gates.fatal_rules[1]: \"unbalanced\" is not a rule id", ": gates.max_warnings: -5: want a count", ": alerts.webhook_url: \"hooks.example\" is not an http"}},
		{"syntax error", "warehouse = \n", []string{":1: "}},
		{"wrong type", "\nthreads = \"four\"\n", []string{":2: threads: incompatible types"}},
		{"bad kind", "[[source]]\noperator = \"" + gz + "\"\nkind = \"ftp\"\n",
			[]string{`: source[0] (operator "` + gz + `"): kind "ftp" unknown`}},
		{"missing kind", "[[source]]\noperator = \"" + gz + "\"\n", []string{": source[0] (operator \"" + gz + "\"): kind is missing"}},
		{"files without path", "[[source]]\noperator = \"" + gz + "\"\nkind = \"files\"\n",
			[]string{`: source[0] (operator "` + gz + `"): kind "files" needs path`}},
		{"http without url", files(gz) + "[[source]]\noperator = \"" + sz + "\"\nkind = \"http\"\n",
			[]string{`: source[1] (operator "` + sz + `"): kind "http" needs url`}},
		{"http with bad url", "[[source]]\noperator = \"" + gz + "\"\nkind = \"http\"\nurl = \"127.0.0.1:9801\"\n",
			[]string{`: source[0] (operator "` + gz + `"): url "127.0.0.1:9801" is not an http`}},
		{"postgres without dsn", "[[source]]\noperator = \"" + gz + "\"\nkind = \"postgres\"\n",
			[]string{`: source[0] (operator "` + gz + `"): kind "postgres" needs dsn`}},
		{"field of another kind", "[[source]]\noperator = \"" + gz + "\"\nkind = \"files\"\npath = \"d\"\nurl = \"http://h\"\n",
			[]string{`: source[0] (operator "` + gz + `"): url is not used by kind "files"`}},
		{"short operator", files("9144010"), []string{`: source[0] (operator "9144010"): operator must be an 18-character`}},
		{"lower-case operator", files(strings.ToLower(gz)), []string{`: source[0] (operator "91440100ma5xxxxxxx"): operator must be an 18-character`}},
		{"missing operator", "[[source]]\nkind = \"files\"\npath = \"d\"\n", []string{": source[0]: operator must be"}},
		{"duplicate operator and kind", files(gz) + files(sz) + files(gz),
			[]string{`: source[2] (operator "` + gz + `"): same operator and kind as source[0]`}},
		{"bad memory limit", "memory_limit = \"4 gigs\"\n", []string{`: memory_limit: "4 gigs" is not a size`}},
		{"negative threads", "threads = -1\n", []string{": threads: -1 is negative"}},
		{"empty key_env", "[pseudonymise]\nkey_env = \"\"\n", []string{": pseudonymise.key_env: must name"}},
		{"negative threshold", "[rules]\nlarge_payment_yuan = -1.0\n", []string{": rules.large_payment_yuan: -1.00 is negative"}},
		{"amount of three decimals", "[rules]\nincome_gap_yuan = 1000.005\n", []string{`:2: rules.income_gap_yuan: "1000.005" is not an amount of yuan`}},
		{"amount as text", "[rules]\nvoucher_imbalance_yuan = \"1,000\"\n", []string{`:2: rules.voucher_imbalance_yuan: "1,000" is not an amount of yuan`}},
		{"amount of another type", "[rules]\nlarge_payment_yuan = true\n", []string{":2: rules.large_payment_yuan: true is not an amount of yuan"}},
		{"forbidden instrument allowed", "[rules]\nallowed_instruments = [\"policy_bank_bond\", \"stock\"]\n", []string{": rules.allowed_instruments: \"stock\" cannot be allowed"}},
		{"inverted band", "[rules]\npayout_band_low = 1.2\n", []string{": rules.payout_band_low: 1.2 is above payout_band_high 1"}},
		{"red band on the good side", "[rules.risk]\nsolvency_red = 2.0\n", []string{": rules.risk.solvency_red: 2 is above the yellow band 0.5"}},
		{"red band below yellow", "[rules.risk]\npayment_days_red = 10\n", []string{": rules.risk.payment_days_red: 10 is below the yellow band 15"}},
		{"negative band", "[rules.risk]\nconcentration_yellow = -0.5\nconcentration_red = -0.1\n", []string{": rules.risk.concentration_yellow: a band is negative"}},
		{"unknown band", "[rules.risk]\nsolvency_green = 3\n", []string{": rules.risk.solvency_green: unknown key"}},
		{"several problems at once", "warehous = 1\nthreads = -2\n", []string{": warehous: unknown key", ": threads: -2 is negative"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.text)
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%q) = %+v, want an error", tc.text, c)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Load(%q) error %q does not wrap ErrInvalid", tc.text, err)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != path {
				t.Errorf("Load(%q) error %q: want a *Error naming %s", tc.text, err, path)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, path+w) {
					t.Errorf("Load(%q) error =\n%s\nwant it to contain %q", tc.text, msg, path+w)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load(%q) error = %v, want ErrInvalid naming the file", path, err)
	}
}

func TestHash(t *testing.T) {
	base := "warehouse = \"w.duckdb\"\n[rules]\nk_anonymity = 10\n"
	cases := []struct {
		name string
		text string
		same bool
	}{
		{"identical", base, true},
		{"comments and spacing", "# nightly\nwarehouse   =   \"w.duckdb\" # the file\n\n[rules]\nk_anonymity = 10\n", true},
		{"default written out", base + "mgmt_fee_ratio_max = 0.08\n", true},
		{"threshold changed", "warehouse = \"w.duckdb\"\n[rules]\nk_anonymity = 11\n", false},
		{"source added", base + "[[source]]\noperator = \"" + gz + "\"\nkind = \"files\"\npath = \"d\"\n", false},
		{"key env changed", "warehouse = \"w.duckdb\"\n[pseudonymise]\nkey_env = \"OTHER\"\n", false},
	}
	// All files sit in one folder so that the resolved paths agree.
	dir := t.TempDir()
	load := func(name, text string) *Config {
		t.Helper()
		p := filepath.Join(dir, name+".toml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(p)
		if err != nil {
			t.Fatalf("Load(%q): %v", text, err)
		}
		return c
	}
	want := load("base", base).Hash()
	if len(want) != 64 || strings.Trim(want, "0123456789abcdef") != "" {
		t.Fatalf("Hash() = %q, want 64 hex digits", want)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := load(string(rune('a'+i)), tc.text).Hash()
			if (got == want) != tc.same {
				t.Errorf("Hash of %q = %s, base %s; want same=%v", tc.text, got, want, tc.same)
			}
		})
	}
}

func TestPIIKey(t *testing.T) {
	const env = "HUZHU_TEST_PII_KEY"
	const secret = "s3cret-s3cret-s3cret"
	cases := []struct {
		name  string
		set   bool
		value string
		ok    bool
	}{
		{"set", true, secret, true},
		{"unset", false, "", false},
		{"empty", true, "", false},
		{"too short", true, "short-key", false},
		{"one character repeated", true, "AAAAAAAAAAAAAAAAAAAAAAAA", false},
		{"two repeated", true, "abababababababababab", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(env, "placeholder") // restores the variable afterwards
			if tc.set {
				os.Setenv(env, tc.value)
			} else {
				os.Unsetenv(env)
			}
			c := Default()
			c.Pseudonymise.KeyEnv = env
			key, err := c.PIIKey()
			if tc.ok {
				if err != nil || string(key) != tc.value {
					t.Errorf("PIIKey() = %q, %v; want %q, nil", key, err, tc.value)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("PIIKey() error = %v, want ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, env) || !strings.Contains(msg, "refuses to start") {
				t.Errorf("PIIKey() error = %q, want it to name %s and say the run refuses to start", msg, env)
			}
			if tc.value != "" && strings.Contains(msg, tc.value) {
				t.Errorf("PIIKey() error = %q repeats the key", msg)
			}
		})
	}
}

// TestLoadNotAFile: a folder or a missing file given as the config is an
// invalid configuration (exit 2), naming the path.
func TestLoadNotAFile(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{dir, dir + "/none.toml"} {
		if _, err := Load(p); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), p) {
			t.Errorf("Load(%s) = %v, want ErrInvalid naming it", p, err)
		}
	}
}
