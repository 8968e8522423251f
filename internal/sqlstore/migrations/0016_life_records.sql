-- A world's life as its workflow last recorded it, where pages, the API and
-- streams read it (one read by the world's key) instead of asking the
-- workflow on every view. A world whose life recorded nothing has no row.
-- The optional times are NULL when there is none.
CREATE TABLE life_records (
    world_id       {{.ID}} PRIMARY KEY REFERENCES worlds (id) ON DELETE CASCADE,
    state          TEXT NOT NULL,
    day            TEXT NOT NULL,
    actions_today  INTEGER NOT NULL DEFAULT 0,
    calls_today    INTEGER NOT NULL DEFAULT 0,
    cost_today_usd {{.Float}} NOT NULL DEFAULT 0,
    waiting        INTEGER NOT NULL DEFAULT 0,
    next_action_at {{.Time}},
    last_viewed_at {{.Time}},
    rests_until    {{.Time}},
    updated_at     {{.Time}} NOT NULL
);
