-- The social platform: members, likes, comments and browser sessions.
--
-- A post's likes_count and comments_count are kept by the store in the same
-- transaction as the like or comment that changes them, so that reading a
-- feed never counts rows. No post has a like or comment before this
-- migration, so starting them at zero is exact.
ALTER TABLE posts ADD COLUMN likes_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN comments_count INTEGER NOT NULL DEFAULT 0;

-- One character's posts, newest first. It also serves the foreign key from
-- posts to characters, so it replaces the index on character_id alone.
CREATE INDEX posts_character_feed ON posts (character_id, created_at DESC, id DESC);
DROP INDEX posts_character;

-- The characters a person owns in a world, by creation.
CREATE INDEX characters_owner ON characters (owner_id, world_id, created_at, id) WHERE owner_id IS NOT NULL;

-- Members of a world other than its owner, who is a member by owning it.
CREATE TABLE world_members (
    world_id  {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    user_id   {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at {{.Time}} NOT NULL,
    PRIMARY KEY (world_id, user_id)
);
CREATE INDEX world_members_user ON world_members (user_id, world_id);

-- Likes and comments go with their post (and so with its world). They do not
-- go with their user: the posts' counts must change with them, which a
-- cascade would not do, so deleting a user who liked or commented fails
-- until the store removes those through the code that keeps the counts.
CREATE TABLE likes (
    post_id    {{.ID}} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    {{.ID}} NOT NULL REFERENCES users (id),
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX likes_newest ON likes (post_id, created_at DESC, user_id DESC);
CREATE INDEX likes_user ON likes (user_id);

CREATE TABLE comments (
    id         {{.ID}} PRIMARY KEY,
    post_id    {{.ID}} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    {{.ID}} NOT NULL REFERENCES users (id),
    text       TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_user ON comments (user_id);

-- Sessions of the web UI, found by the hash of their token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    expires_at {{.Time}} NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
