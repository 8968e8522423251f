-- Generia's initial schema.
--
-- The column types are the dialect's (see sqlstore.Types): IDs are
-- caller-chosen text compared byte by byte, so that keyset pages sort the
-- same whatever the database's collation; times keep microseconds, as the
-- store does. Optional IDs are '' rather than NULL, except the owner of a
-- character or medium, which is NULL for generated items.

CREATE TABLE users (
    id            {{.ID}} PRIMARY KEY,
    username      TEXT NOT NULL,
    -- Lower-cased username and email (lower-cased by the store): the
    -- case-insensitive unique keys.
    username_key  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    email_key     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    created_at    {{.Time}} NOT NULL,
    CONSTRAINT users_username_unique UNIQUE (username_key)
);
CREATE UNIQUE INDEX {{if .Postgres}}users_email_unique{{else}}users_email_key{{end}} ON users (email_key) WHERE email_key <> '';

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at {{.Time}} NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- owner_id has no foreign key: worlds created from the command line have no
-- owner.
CREATE TABLE worlds (
    id               {{.ID}} PRIMARY KEY,
    owner_id         {{.ID}} NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    prompt           TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    params           {{.JSON}},
    characters_count INTEGER NOT NULL DEFAULT 0,
    posts_count      INTEGER NOT NULL DEFAULT 0,
    header_media_id  {{.ID}} NOT NULL DEFAULT '',
    icon_media_id    {{.ID}} NOT NULL DEFAULT '',
    visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    llm_provider     TEXT NOT NULL DEFAULT '',
    image_provider   TEXT NOT NULL DEFAULT '',
    workflow_id      TEXT NOT NULL DEFAULT '',
    created_at       {{.Time}} NOT NULL,
    updated_at       {{.Time}} NOT NULL
);
CREATE INDEX worlds_newest ON worlds (created_at DESC, id DESC);
CREATE INDEX worlds_owner ON worlds (owner_id, created_at DESC, id DESC);

CREATE TABLE generation_status (
    world_id          {{.ID}} PRIMARY KEY REFERENCES worlds (id) ON DELETE CASCADE,
    workflow_id       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    current_stage     TEXT NOT NULL DEFAULT '',
    stages            {{.JSON}} NOT NULL DEFAULT '[]',
    users_created     INTEGER NOT NULL DEFAULT 0,
    users_predicted   INTEGER NOT NULL DEFAULT 0,
    posts_created     INTEGER NOT NULL DEFAULT 0,
    posts_predicted   INTEGER NOT NULL DEFAULT 0,
    images_created    INTEGER NOT NULL DEFAULT 0,
    images_predicted  INTEGER NOT NULL DEFAULT 0,
    call_limit_llm    INTEGER NOT NULL DEFAULT 0,
    call_limit_images INTEGER NOT NULL DEFAULT 0,
    calls_llm         INTEGER NOT NULL DEFAULT 0,
    calls_images      INTEGER NOT NULL DEFAULT 0,
    tokens_in         {{.BigInt}} NOT NULL DEFAULT 0,
    tokens_out        {{.BigInt}} NOT NULL DEFAULT 0,
    llm_cost_usd      {{.Float}} NOT NULL DEFAULT 0,
    image_cost_usd    {{.Float}} NOT NULL DEFAULT 0,
    llm_provider      TEXT NOT NULL DEFAULT '',
    image_provider    TEXT NOT NULL DEFAULT '',
    cancel_requested  {{.Bool}} NOT NULL DEFAULT {{.False}},
    error             TEXT NOT NULL DEFAULT '',
    created_at        {{.Time}} NOT NULL,
    updated_at        {{.Time}} NOT NULL,
    started_at        {{.Time}},
    finished_at       {{.Time}}
);
CREATE INDEX generation_status_status ON generation_status (status);

CREATE TABLE generations (
    world_id   {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    key        {{.ID}} NOT NULL,
    step       TEXT NOT NULL DEFAULT '',
    prompt     TEXT NOT NULL DEFAULT '',
    output     {{.JSON}},
    provider   TEXT NOT NULL DEFAULT '',
    model      TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (world_id, key)
);

CREATE TABLE characters (
    id              {{.ID}} PRIMARY KEY,
    world_id        {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    owner_id        {{.ID}},
    username        TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    bio             TEXT NOT NULL DEFAULT '',
    avatar_media_id {{.ID}} NOT NULL DEFAULT '',
    profile         {{.JSON}},
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      {{.Time}} NOT NULL,
    CONSTRAINT characters_username_unique UNIQUE (world_id, username)
);
CREATE INDEX characters_cast ON characters (world_id, position, created_at, id);

CREATE TABLE posts (
    id           {{.ID}} PRIMARY KEY,
    world_id     {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    character_id {{.ID}} NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    caption      TEXT NOT NULL DEFAULT '',
    hashtags     {{.Strings}},
    media_id     {{.ID}} NOT NULL DEFAULT '',
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX posts_feed ON posts (world_id, created_at DESC, id DESC);
CREATE INDEX posts_character ON posts (character_id);

-- character_id has no foreign key: a medium may be stored before the row it
-- illustrates, and world headers and icons have no character.
CREATE TABLE media (
    id           {{.ID}} PRIMARY KEY,
    world_id     {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    character_id {{.ID}} NOT NULL DEFAULT '',
    owner_id     {{.ID}},
    kind         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         {{.BigInt}} NOT NULL DEFAULT 0,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    object_key   TEXT NOT NULL DEFAULT '',
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX media_world ON media (world_id{{if .Postgres}}, created_at, id{{end}});
