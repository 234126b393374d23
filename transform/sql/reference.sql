-- Reference tables every run rewrites from what the binary ships: GB/T 2260
-- regions (internal/codes/regions.csv) and the chart of accounts
-- (package contract). Rows go in from Go as parameters.
CREATE OR REPLACE TABLE core.dim_region (
    region_code   VARCHAR PRIMARY KEY,
    region_name   VARCHAR NOT NULL,
    province_code VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE core.dim_account (
    account_code VARCHAR PRIMARY KEY,
    name_zh      VARCHAR NOT NULL,
    name_en      VARCHAR NOT NULL,
    class        VARCHAR NOT NULL,
    debit_normal BOOLEAN NOT NULL
);
