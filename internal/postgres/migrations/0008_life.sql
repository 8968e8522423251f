-- Living worlds: comments gain a speaker and threads, and each world has
-- life settings and a ledger of what each day of its life spent.
--
-- A comment is a person's (user_id), possibly spoken as one of their own
-- characters (character_id), or an AI character's reply (is_ai, no user).
-- It may answer another comment (parent_id); a deleted comment leaves its
-- replies in place.
ALTER TABLE comments
    ALTER COLUMN user_id DROP NOT NULL,
    ADD COLUMN character_id TEXT COLLATE "C" REFERENCES characters (id),
    ADD COLUMN is_ai BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN parent_id TEXT COLLATE "C" REFERENCES comments (id) ON DELETE SET NULL,
    ADD CONSTRAINT comments_speaker CHECK (user_id IS NOT NULL OR (is_ai AND character_id IS NOT NULL));
CREATE INDEX comments_character ON comments (character_id, created_at) WHERE character_id IS NOT NULL;
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- A world's life as its owner set it; a world without a row lives by the
-- operator's defaults.
CREATE TABLE world_life (
    world_id         TEXT COLLATE "C" PRIMARY KEY REFERENCES worlds (id) ON DELETE CASCADE,
    enabled          BOOLEAN NOT NULL,
    paused           BOOLEAN NOT NULL,
    actions_per_hour DOUBLE PRECISION NOT NULL,
    daily_calls      INTEGER NOT NULL,
    daily_budget_usd DOUBLE PRECISION NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- What each day (UTC) of a world's life spent: its calls are counted here
-- before they are made, their cost after.
CREATE TABLE life_days (
    world_id TEXT COLLATE "C" NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    day      TEXT COLLATE "C" NOT NULL,
    calls    INTEGER NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (world_id, day)
);

-- The life day a provider call counted in; '' for a generation's calls.
ALTER TABLE provider_calls ADD COLUMN life_day TEXT NOT NULL DEFAULT '';
