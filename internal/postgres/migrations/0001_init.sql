-- Generia's initial schema, the PostgreSQL twin of the SQLite migration of
-- the same version.
--
-- IDs are caller-chosen text compared byte by byte (COLLATE "C"), so that
-- keyset pages sort the same whatever the database's collation. Times are
-- timestamptz, microsecond precision like the store. JSON values are jsonb:
-- they compare by value, not by spelling. Optional IDs are '' rather than
-- NULL, except the owner of a character or medium, which is NULL for
-- generated items.

CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    username      TEXT NOT NULL,
    -- Lower-cased username and email (lower-cased by the store, as the
    -- SQLite backend does): the case-insensitive unique keys.
    username_key  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    email_key     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_username_unique UNIQUE (username_key)
);
CREATE UNIQUE INDEX users_email_unique ON users (email_key) WHERE email_key <> '';

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- owner_id has no foreign key: worlds created from the command line have no
-- owner.
CREATE TABLE worlds (
    id               TEXT COLLATE "C" PRIMARY KEY,
    owner_id         TEXT COLLATE "C" NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    prompt           TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    params           JSONB,
    characters_count INTEGER NOT NULL DEFAULT 0,
    posts_count      INTEGER NOT NULL DEFAULT 0,
    header_media_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
    icon_media_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
    visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    llm_provider     TEXT NOT NULL DEFAULT '',
    image_provider   TEXT NOT NULL DEFAULT '',
    workflow_id      TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX worlds_newest ON worlds (created_at DESC, id DESC);
CREATE INDEX worlds_owner ON worlds (owner_id, created_at DESC, id DESC);

CREATE TABLE generation_status (
    world_id          TEXT COLLATE "C" PRIMARY KEY REFERENCES worlds (id) ON DELETE CASCADE,
    workflow_id       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    current_stage     TEXT NOT NULL DEFAULT '',
    stages            JSONB NOT NULL DEFAULT '[]',
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
    tokens_in         BIGINT NOT NULL DEFAULT 0,
    tokens_out        BIGINT NOT NULL DEFAULT 0,
    llm_cost_usd      DOUBLE PRECISION NOT NULL DEFAULT 0,
    image_cost_usd    DOUBLE PRECISION NOT NULL DEFAULT 0,
    llm_provider      TEXT NOT NULL DEFAULT '',
    image_provider    TEXT NOT NULL DEFAULT '',
    cancel_requested  BOOLEAN NOT NULL DEFAULT FALSE,
    error             TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ
);
CREATE INDEX generation_status_status ON generation_status (status);

CREATE TABLE generations (
    world_id   TEXT COLLATE "C" NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    key        TEXT COLLATE "C" NOT NULL,
    step       TEXT NOT NULL DEFAULT '',
    prompt     TEXT NOT NULL DEFAULT '',
    output     JSONB,
    provider   TEXT NOT NULL DEFAULT '',
    model      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (world_id, key)
);

CREATE TABLE characters (
    id              TEXT COLLATE "C" PRIMARY KEY,
    world_id        TEXT COLLATE "C" NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    owner_id        TEXT COLLATE "C",
    username        TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    bio             TEXT NOT NULL DEFAULT '',
    avatar_media_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    profile         JSONB,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT characters_username_unique UNIQUE (world_id, username)
);
CREATE INDEX characters_cast ON characters (world_id, position, created_at, id);

CREATE TABLE posts (
    id           TEXT COLLATE "C" PRIMARY KEY,
    world_id     TEXT COLLATE "C" NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    character_id TEXT COLLATE "C" NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    caption      TEXT NOT NULL DEFAULT '',
    hashtags     TEXT[] NOT NULL DEFAULT '{}',
    media_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_feed ON posts (world_id, created_at DESC, id DESC);
CREATE INDEX posts_character ON posts (character_id);

-- character_id has no foreign key: a medium may be stored before the row it
-- illustrates, and world headers and icons have no character.
CREATE TABLE media (
    id           TEXT COLLATE "C" PRIMARY KEY,
    world_id     TEXT COLLATE "C" NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    character_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    owner_id     TEXT COLLATE "C",
    kind         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    object_key   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_world ON media (world_id, created_at, id);
