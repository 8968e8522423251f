-- The provider call ledger and the world's budget.
--
-- budget_usd caps a world's provider cost; 0 means no budget.
-- llm_calls_paid and image_calls_paid count the calls of each kind recorded
-- with a cost above zero: ReserveCall divides a kind's cost total by it to
-- estimate the next call of that kind. They are kept here rather than
-- counted in the ledger so that the reservation stays one update of one row.
-- Worlds created before this migration have no budget and no ledger, so
-- starting the counts at zero is exact for them.
ALTER TABLE generation_status ADD COLUMN budget_usd {{.Float}} NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN llm_calls_paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN image_calls_paid INTEGER NOT NULL DEFAULT 0;

-- One row per provider call made, whatever its outcome. The id orders the
-- ledger: created_at comes from the caller and may tie or go back.
-- duration_us is microseconds, the precision of the timestamps.
CREATE TABLE provider_calls (
    id          {{.Serial}},
    world_id    {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    key         TEXT NOT NULL DEFAULT '',
    step        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('llm', 'image')),
    provider    TEXT NOT NULL DEFAULT '',
    model       TEXT NOT NULL DEFAULT '',
    attempt     INTEGER NOT NULL DEFAULT 0,
    tokens_in   {{.BigInt}} NOT NULL DEFAULT 0,
    tokens_out  {{.BigInt}} NOT NULL DEFAULT 0,
    cost_usd    {{.Float}} NOT NULL DEFAULT 0,
    duration_us {{.BigInt}} NOT NULL DEFAULT 0,
    outcome     TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    created_at  {{.Time}} NOT NULL
);
CREATE INDEX provider_calls_world ON provider_calls (world_id, id);
