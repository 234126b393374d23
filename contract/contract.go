// Package contract describes HZ-OPS/1, the interchange contract between the
// mutual-aid operators and huzhu (../shared/spec/contract-v1.md): the
// entities, their fields in contract order, each field's type, and each
// entity's natural key.
//
// It holds no data and no behaviour beyond lookups. The simulator writes to
// it, the connectors read by it, the transform types by it: one description,
// so that a field added here reaches every transport.
package contract

import (
	"fmt"
	"slices"
	"time"
)

// Kind is the contract type of a field.
type Kind uint8

// The field kinds of contract-v1, section "Types".
const (
	Text    Kind = iota // any Unicode, NFC
	Code                // trimmed, full-width folded, upper-case
	USCC                // 统一社会信用代码, 18 characters
	Region              // GB/T 2260, 6 digits
	IDNo                // 居民身份证号码, PII
	Money               // decimal yuan, at most 2 fraction digits
	Date                // YYYY-MM-DD
	TS                  // RFC 3339, or YYYY-MM-DD HH:MM:SS in Asia/Shanghai
	Int                 // integer
	Decimal             // decimal number that is not money (rate_pct)
	Bool                // true | false
	Enum                // one of Field.Values
)

var kindNames = [...]string{"text", "code", "uscc", "region", "idno", "money", "date", "ts", "int", "decimal", "bool", "enum"}

// String is the kind's name in contract-v1 ("money", "ts").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Field is one column of an entity.
type Field struct {
	Name     string
	Kind     Kind
	Nullable bool
	PII      bool     // personal data: never leaves the raw schema in clear
	Values   []string // the allowed values of an Enum
}

// Entity is one HZ-OPS/1 entity: its name (also its file, table and URL
// name), fields in contract order and natural key (unique per operator).
type Entity struct {
	Name   string
	Fields []Field
	Key    []string
}

// Index returns the position of the named field, or -1.
func (e *Entity) Index(name string) int {
	for i, f := range e.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// HasPII reports whether the entity has a field of personal data.
func (e *Entity) HasPII() bool {
	return slices.ContainsFunc(e.Fields, func(f Field) bool { return f.PII })
}

// PersonRef reports whether a field is a code that names a person: a
// member's or a staff member's key, or a reference to one. The contract
// leaves its form to the operator, who may use the person's id number or
// phone: the transform then pseudonymises it (hz_ref_pseudo), and the
// quarantine masks it.
func PersonRef(field string) bool {
	switch field {
	case "member_ref", "staff_id", "prepared_by", "approved_by", "paid_by", "subject_staff":
		return true
	}
	return false
}

// Beijing is the time of a ts without an offset (contract-v1, "Types":
// Asia/Shanghai): UTC+8, no summer time since 1991.
var Beijing = time.FixedZone("CST", 8*3600)

// FieldNames returns the field names in contract order.
func (e *Entity) FieldNames() []string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Name
	}
	return names
}

func f(name string, k Kind) Field    { return Field{Name: name, Kind: k} }
func null(name string, k Kind) Field { return Field{Name: name, Kind: k, Nullable: true} }
func pii(name string, k Kind, n bool) Field {
	return Field{Name: name, Kind: k, Nullable: n, PII: true}
}
func enum(name string, values ...string) Field { return Field{Name: name, Kind: Enum, Values: values} }
func nullEnum(name string, values ...string) Field {
	return Field{Name: name, Kind: Enum, Nullable: true, Values: values}
}

var updatedAt = f("updated_at", TS)

// The entities, in the order in which they are extracted and listed.
var entities = []*Entity{
	{Name: "organizations", Key: []string{"org_code"}, Fields: []Field{
		f("org_code", USCC), f("name", Text),
		enum("org_type", "federation", "mutual_aid_org", "grassroots_union"),
		enum("level", "national", "provincial", "city", "county", "grassroots"),
		null("parent_code", USCC), f("region_code", Region), f("pool_code", Code),
		enum("status", "active", "closed"), updatedAt}},
	{Name: "activities", Key: []string{"activity_code"}, Fields: []Field{
		f("operator_code", USCC), f("activity_code", Code), f("name", Text),
		enum("category", "inpatient", "critical_illness", "accident", "female_special", "retiree", "other"),
		null("approval_ref", Text), null("filing_ref", Text), f("start_date", Date), null("end_date", Date),
		f("contribution_per_member", Money), f("period_months", Int), f("benefit_cap", Money),
		enum("status", "active", "suspended", "closed"), updatedAt}},
	{Name: "members", Key: []string{"member_ref"}, Fields: []Field{
		f("operator_code", USCC), f("member_ref", Code), pii("id_number", IDNo, false), pii("name", Text, false),
		pii("phone", Text, true), enum("gender", "M", "F"), f("birth_date", Date), f("union_code", USCC),
		f("joined_on", Date), enum("status", "active", "left"), updatedAt}},
	{Name: "enrollments", Key: []string{"receipt_no"}, Fields: []Field{
		f("operator_code", USCC), f("receipt_no", Code), f("activity_code", Code), f("member_ref", Code),
		f("period_start", Date), f("period_end", Date), f("amount", Money), null("refund_of", Code),
		f("paid_at", TS), f("payer_union_code", USCC), updatedAt}},
	{Name: "claims", Key: []string{"claim_no"}, Fields: []Field{
		f("operator_code", USCC), f("claim_no", Code), f("activity_code", Code), f("member_ref", Code),
		f("event_date", Date), f("filed_at", TS), f("diagnosis_group", Text),
		enum("hospital_level", "tertiary", "secondary", "primary", "other"),
		f("medical_total", Money), f("insurance_paid", Money), f("claimed_amount", Money), null("approved_amount", Money),
		enum("status", "filed", "approved", "rejected", "paid", "reversed"), null("decided_at", TS), null("paid_at", TS),
		null("paid_amount", Money), null("payment_voucher_no", Code), updatedAt}},
	{Name: "ledger_entries", Key: []string{"voucher_no", "line_no"}, Fields: []Field{
		f("operator_code", USCC), f("voucher_no", Code), f("line_no", Int), null("activity_code", Code),
		f("posted_on", Date), f("account_code", Code), f("debit", Money), f("credit", Money),
		null("bank_account_no", Text), null("counterparty", Text), f("summary", Text),
		f("prepared_by", Code), f("approved_by", Code), null("paid_by", Code), null("decision_ref", Code), updatedAt}},
	{Name: "bank_accounts", Key: []string{"account_no"}, Fields: []Field{
		f("operator_code", USCC), f("account_no", Text), null("activity_code", Code), f("bank_name", Text),
		enum("purpose", "activity_fund", "reserve", "general", "other"), f("opened_on", Date), null("closed_on", Date), updatedAt}},
	{Name: "investments", Key: []string{"holding_id", "as_of"}, Fields: []Field{
		f("operator_code", USCC), f("holding_id", Code), f("as_of", Date), null("activity_code", Code),
		enum("instrument_type", InstrumentTypes...),
		f("issuer", Text), f("instrument_name", Text), f("principal", Money), f("market_value", Money),
		f("start_date", Date), null("maturity_date", Date), null("rate_pct", Decimal), f("accrued_income", Money),
		f("realized_income", Money), updatedAt}},
	{Name: "budgets", Key: []string{"activity_code", "fiscal_year", "line_code", "version"}, Fields: []Field{
		f("operator_code", USCC), null("activity_code", Code), f("fiscal_year", Int), f("line_code", Code),
		enum("version", "original", "adjusted"), f("amount", Money), f("approved_on", Date), updatedAt}},
	{Name: "decisions", Key: []string{"decision_ref"}, Fields: []Field{
		f("operator_code", USCC), f("decision_ref", Code), f("meeting_date", Date),
		enum("body", "council", "board", "office_meeting", "other"), f("attendees", Int), f("quorum_met", Bool),
		f("subject", Text), null("amount_limit", Money), updatedAt}},
	{Name: "audits", Key: []string{"audit_id"}, Fields: []Field{
		f("operator_code", USCC), f("audit_id", Code), enum("audit_type", "annual", "special", "tenure", "departure"),
		null("subject_staff", Code), f("period_start", Date), f("period_end", Date), f("report_date", Date),
		enum("opinion", "unqualified", "qualified", "adverse", "disclaimer"), f("findings", Int), updatedAt}},
	{Name: "staff_roles", Key: []string{"staff_id", "role", "start_date"}, Fields: []Field{
		f("operator_code", USCC), f("staff_id", Code), pii("name", Text, false),
		enum("role", "leader", "finance_head", "cashier", "accountant", "claims_officer", "other"),
		f("start_date", Date), null("end_date", Date), updatedAt}},
	{Name: "assistance", Key: []string{"item_id"}, Fields: []Field{
		f("operator_code", USCC), f("item_id", Code), null("activity_code", Code),
		enum("kind", "member_activity", "hardship_assistance"), f("description", Text), f("amount", Money),
		null("approved_ref", Code), null("publicized_on", Date), f("voucher_no", Code), updatedAt}},
}

// InstrumentTypes are the instrument_type values of investments, allowed and not.
var InstrumentTypes = []string{"demand_deposit", "time_deposit", "treasury_bond", "policy_bank_bond",
	"local_gov_bond", "corporate_bond", "stock", "mutual_fund", "wealth_management", "futures", "trust", "other"}

// AllowedInstruments are the instruments clause 十二 allows: deposits and
// treasury bonds (rules.md, R01).
var AllowedInstruments = []string{"demand_deposit", "time_deposit", "treasury_bond"}

// ReviewInstruments are the bonds R01 reports as minor "review" findings
// unless a federation has allow-listed them ([rules] allowed_instruments).
var ReviewInstruments = []string{"policy_bank_bond", "local_gov_bond"}

// InstrumentNames are the Chinese names of InstrumentTypes, as the reports
// and the site show them.
var InstrumentNames = map[string]string{
	"demand_deposit": "活期存款", "time_deposit": "定期存款", "treasury_bond": "国债",
	"policy_bank_bond": "政策性银行债券", "local_gov_bond": "地方政府债券", "corporate_bond": "企业债券",
	"stock": "股票", "mutual_fund": "基金", "wealth_management": "理财产品", "futures": "期货",
	"trust": "信托", "other": "其他",
}

// CategoryNames are the Chinese names of the activities' categories, and
// ActivityStatusNames of their statuses, as the reports and the site show
// them.
var (
	CategoryNames = map[string]string{
		"inpatient": "住院津贴", "critical_illness": "重大疾病", "accident": "意外伤害",
		"female_special": "女职工特殊疾病", "retiree": "退休职工", "other": "其他",
	}
	ActivityStatusNames = map[string]string{"active": "正常", "suspended": "暂停", "closed": "已停办"}
)

var byName = func() map[string]*Entity {
	m := make(map[string]*Entity, len(entities))
	for _, e := range entities {
		if m[e.Name] != nil {
			panic("contract: duplicate entity " + e.Name)
		}
		m[e.Name] = e
	}
	return m
}()

// Entities returns every entity in extraction order. The slice is shared;
// do not modify it.
func Entities() []*Entity { return entities }

// Lookup returns the named entity, or nil.
func Lookup(name string) *Entity { return byName[name] }
