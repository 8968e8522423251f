-- The operator's ceilings of one account, where the operator set other
-- ones than the GENERIA_LIFE_MAX_* and GENERIA_ACCOUNT_DAILY_* settings;
-- NULL keeps the setting's, 0 is no ceiling.
CREATE TABLE account_ceilings (
    user_id               {{.ID}} PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    life_actions_per_hour {{.Float}},
    life_daily_calls      INTEGER,
    life_daily_budget_usd {{.Float}},
    daily_calls           INTEGER,
    daily_budget_usd      {{.Float}},
    updated_at            {{.Time}} NOT NULL
);

-- What each day (UTC) of an account's worlds spent on providers, across
-- their generations and lives: calls are counted here before they are
-- made, their cost after. A world's owner is its account; worlds have no
-- foreign key to their owner, so neither has this.
CREATE TABLE account_days (
    user_id  {{.ID}} NOT NULL,
    day      {{.ID}} NOT NULL,
    calls    INTEGER NOT NULL DEFAULT 0,
    cost_usd {{.Float}} NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);
