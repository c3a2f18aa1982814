-- Tables of the seed 001 example (the nightly ranking jobnet) and its demo data generator.

CREATE TABLE users (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL
);

-- No foreign key to users: the generator bulk-loads millions of rows, and the ranking joins
-- from users anyway, so an order of an unknown user simply does not rank.
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL,
  amount integer NOT NULL,          -- yen
  ordered_at timestamptz NOT NULL
);
CREATE INDEX orders_ordered_at ON orders (ordered_at);

-- BATCH-000: one row per business date, replaced when the date is aggregated again.
CREATE TABLE daily_sales (
  business_date date PRIMARY KEY,
  orders integer NOT NULL,
  buyers integer NOT NULL,
  amount bigint NOT NULL,
  run_key text NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);

-- BATCH-001 writes a date's rankings (delete → insert, one transaction); BATCH-003 removes
-- excluded users and renumbers. Both write this table, hence the catalog lock `rankings`.
CREATE TABLE rankings (
  business_date date NOT NULL,
  user_id bigint NOT NULL,
  rank integer NOT NULL,
  score bigint NOT NULL,
  order_count integer NOT NULL,
  PRIMARY KEY (business_date, user_id)
);
CREATE INDEX rankings_by_rank ON rankings (business_date, rank);

-- Users that must not appear in rankings (fraud, opt-out); applied by BATCH-003.
CREATE TABLE ranking_exclusions (
  user_id bigint PRIMARY KEY,
  reason text NOT NULL,
  since date NOT NULL
);

-- BATCH-002: the completion mail of a run, written once per run before it is sent.
CREATE TABLE mail_outbox (
  run_key text PRIMARY KEY,
  recipients text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
