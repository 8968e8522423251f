-- Living worlds: comments gain a speaker and threads, and each world has
-- life settings and a ledger of what each day of its life spent.
--
-- A comment is a person's (user_id), possibly spoken as one of their own
-- characters (character_id), or an AI character's reply (is_ai, no user).
-- It may answer another comment (parent_id); a deleted comment leaves its
-- replies in place. SQLite cannot drop NOT NULL from user_id in place, so
-- there the table is made again; no comment has a speaker or a parent before.
{{if .Postgres -}}
ALTER TABLE comments
    ALTER COLUMN user_id DROP NOT NULL,
    ADD COLUMN character_id {{.ID}} REFERENCES characters (id),
    ADD COLUMN is_ai {{.Bool}} NOT NULL DEFAULT {{.False}},
    ADD COLUMN parent_id {{.ID}} REFERENCES comments (id) ON DELETE SET NULL,
    ADD CONSTRAINT comments_speaker CHECK (user_id IS NOT NULL OR (is_ai AND character_id IS NOT NULL));
{{- else -}}
CREATE TABLE comments_new (
    id           TEXT PRIMARY KEY,
    post_id      TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id      TEXT REFERENCES users (id),
    character_id TEXT REFERENCES characters (id),
    is_ai        INTEGER NOT NULL DEFAULT 0,
    parent_id    TEXT REFERENCES comments (id) ON DELETE SET NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    CHECK (user_id IS NOT NULL OR (is_ai = 1 AND character_id IS NOT NULL))
);
INSERT INTO comments_new (id, post_id, user_id, text, created_at)
    SELECT id, post_id, user_id, text, created_at FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_user ON comments (user_id);
{{- end}}
CREATE INDEX comments_character ON comments (character_id, created_at) WHERE character_id IS NOT NULL;
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- A world's life as its owner set it; a world without a row lives by the
-- operator's defaults.
CREATE TABLE world_life (
    world_id         {{.ID}} PRIMARY KEY REFERENCES worlds (id) ON DELETE CASCADE,
    enabled          {{.Bool}} NOT NULL,
    paused           {{.Bool}} NOT NULL,
    actions_per_hour {{.Float}} NOT NULL,
    daily_calls      INTEGER NOT NULL,
    daily_budget_usd {{.Float}} NOT NULL,
    updated_at       {{.Time}} NOT NULL
);

-- What each day (UTC) of a world's life spent: its calls are counted here
-- before they are made, their cost after.
CREATE TABLE life_days (
    world_id {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    day      {{.ID}} NOT NULL,
    calls    INTEGER NOT NULL DEFAULT 0,
    cost_usd {{.Float}} NOT NULL DEFAULT 0,
    PRIMARY KEY (world_id, day)
);

-- The life day a provider call counted in; '' for a generation's calls.
ALTER TABLE provider_calls ADD COLUMN life_day TEXT NOT NULL DEFAULT '';
