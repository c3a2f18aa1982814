-- Tables of the seed 004 example: the monthly billing, one fan-out partition per company.

-- The companies billed; `code` is the partition key (c000001 …).
CREATE TABLE billing_companies (
  id bigint PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  plan text NOT NULL,               -- a plan of billing_plans; one that is not there fails as UnknownPlan
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE billing_plans (
  plan text PRIMARY KEY,
  base_fee integer NOT NULL,        -- yen a month
  unit_price integer NOT NULL       -- yen per unit
);

-- What each company used, row by row (the bulk of the data: 1–2 million rows in the demo).
-- Negative units are broken upstream data: the company fails as UsageDataError.
CREATE TABLE billing_usage (
  company_id bigint NOT NULL,
  used_at timestamptz NOT NULL,
  units integer NOT NULL
);
CREATE INDEX billing_usage_by_company ON billing_usage (company_id, used_at);

-- Step 1 of a company: its invoice for the month, once (the key makes a rerun skip it).
CREATE TABLE billing_invoices (
  month date NOT NULL,
  company_id bigint NOT NULL,
  usage_rows integer NOT NULL,
  units bigint NOT NULL,
  amount bigint NOT NULL,
  run_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, company_id)
);

-- Step 2: the invoice notice handed to the mail system, once per company and month.
CREATE TABLE billing_notices (
  month date NOT NULL,
  company_id bigint NOT NULL,
  subject text NOT NULL,
  run_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, company_id)
);
