-- The raw schema: one append-only table per HZ-OPS/1 entity. Every contract
-- field is kept as received, as text (typing is the transform's job); extra
-- holds unknown source columns as a JSON object; the last five columns say
-- where the row came from. extract/raw_test.go checks these tables against
-- package contract.

CREATE TABLE raw.organizations (
    org_code                 VARCHAR,
    name                     VARCHAR,
    org_type                 VARCHAR,
    level                    VARCHAR,
    parent_code              VARCHAR,
    region_code              VARCHAR,
    pool_code                VARCHAR,
    status                   VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.activities (
    operator_code            VARCHAR,
    activity_code            VARCHAR,
    name                     VARCHAR,
    category                 VARCHAR,
    approval_ref             VARCHAR,
    filing_ref               VARCHAR,
    start_date               VARCHAR,
    end_date                 VARCHAR,
    contribution_per_member  VARCHAR,
    period_months            VARCHAR,
    benefit_cap              VARCHAR,
    status                   VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.members (
    operator_code            VARCHAR,
    member_ref               VARCHAR,
    id_number                VARCHAR,
    name                     VARCHAR,
    phone                    VARCHAR,
    gender                   VARCHAR,
    birth_date               VARCHAR,
    union_code               VARCHAR,
    joined_on                VARCHAR,
    status                   VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.enrollments (
    operator_code            VARCHAR,
    receipt_no               VARCHAR,
    activity_code            VARCHAR,
    member_ref               VARCHAR,
    period_start             VARCHAR,
    period_end               VARCHAR,
    amount                   VARCHAR,
    refund_of                VARCHAR,
    paid_at                  VARCHAR,
    payer_union_code         VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.claims (
    operator_code            VARCHAR,
    claim_no                 VARCHAR,
    activity_code            VARCHAR,
    member_ref               VARCHAR,
    event_date               VARCHAR,
    filed_at                 VARCHAR,
    diagnosis_group          VARCHAR,
    hospital_level           VARCHAR,
    medical_total            VARCHAR,
    insurance_paid           VARCHAR,
    claimed_amount           VARCHAR,
    approved_amount          VARCHAR,
    status                   VARCHAR,
    decided_at               VARCHAR,
    paid_at                  VARCHAR,
    paid_amount              VARCHAR,
    payment_voucher_no       VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.ledger_entries (
    operator_code            VARCHAR,
    voucher_no               VARCHAR,
    line_no                  VARCHAR,
    activity_code            VARCHAR,
    posted_on                VARCHAR,
    account_code             VARCHAR,
    debit                    VARCHAR,
    credit                   VARCHAR,
    bank_account_no          VARCHAR,
    counterparty             VARCHAR,
    summary                  VARCHAR,
    prepared_by              VARCHAR,
    approved_by              VARCHAR,
    paid_by                  VARCHAR,
    decision_ref             VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.bank_accounts (
    operator_code            VARCHAR,
    account_no               VARCHAR,
    activity_code            VARCHAR,
    bank_name                VARCHAR,
    purpose                  VARCHAR,
    opened_on                VARCHAR,
    closed_on                VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.investments (
    operator_code            VARCHAR,
    holding_id               VARCHAR,
    as_of                    VARCHAR,
    activity_code            VARCHAR,
    instrument_type          VARCHAR,
    issuer                   VARCHAR,
    instrument_name          VARCHAR,
    principal                VARCHAR,
    market_value             VARCHAR,
    start_date               VARCHAR,
    maturity_date            VARCHAR,
    rate_pct                 VARCHAR,
    accrued_income           VARCHAR,
    realized_income          VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.budgets (
    operator_code            VARCHAR,
    activity_code            VARCHAR,
    fiscal_year              VARCHAR,
    line_code                VARCHAR,
    version                  VARCHAR,
    amount                   VARCHAR,
    approved_on              VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.decisions (
    operator_code            VARCHAR,
    decision_ref             VARCHAR,
    meeting_date             VARCHAR,
    body                     VARCHAR,
    attendees                VARCHAR,
    quorum_met               VARCHAR,
    subject                  VARCHAR,
    amount_limit             VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.audits (
    operator_code            VARCHAR,
    audit_id                 VARCHAR,
    audit_type               VARCHAR,
    subject_staff            VARCHAR,
    period_start             VARCHAR,
    period_end               VARCHAR,
    report_date              VARCHAR,
    opinion                  VARCHAR,
    findings                 VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.staff_roles (
    operator_code            VARCHAR,
    staff_id                 VARCHAR,
    name                     VARCHAR,
    role                     VARCHAR,
    start_date               VARCHAR,
    end_date                 VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.assistance (
    operator_code            VARCHAR,
    item_id                  VARCHAR,
    activity_code            VARCHAR,
    kind                     VARCHAR,
    description              VARCHAR,
    amount                   VARCHAR,
    approved_ref             VARCHAR,
    publicized_on            VARCHAR,
    voucher_no               VARCHAR,
    updated_at               VARCHAR,
    extra                    VARCHAR,
    source_pos               VARCHAR NOT NULL,
    load_id                  VARCHAR NOT NULL,
    source_operator          VARCHAR NOT NULL,
    source_kind              VARCHAR NOT NULL,
    ingested_at              TIMESTAMPTZ NOT NULL
);
