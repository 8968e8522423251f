-- The characters people follow, for their home feed. A follow goes with its
-- person and its character (and so with the character's world).
CREATE TABLE follows (
    user_id      {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    character_id {{.ID}} NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    created_at   {{.Time}} NOT NULL,
    PRIMARY KEY (user_id, character_id)
);
-- A character's followers, counted on its page; it also serves the cascade
-- from characters.
CREATE INDEX follows_character ON follows (character_id);
