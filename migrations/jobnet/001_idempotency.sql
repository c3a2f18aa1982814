-- One row per effect an activity has made: the key of the run (its workflow id) and the step
-- inside it. The row is written in the same transaction as the effect, so after a crash either
-- both are there or neither is, and a retried attempt finds the row and changes nothing twice.
CREATE TABLE jobnet_idempotency (
  run_key text NOT NULL,
  step text NOT NULL,
  -- What the first attempt reported (record count, summary), returned again to a retry.
  outcome jsonb,
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_key, step)
);

-- For the retention clean-up of old keys.
CREATE INDEX jobnet_idempotency_completed_at ON jobnet_idempotency (completed_at);
