-- Characters like posts too. A like is a person's (user_id) or an AI
-- character's (character_id); who is the one of them that is set, and a
-- post's likes are keyed by it, so that one like per liker is kept by the
-- primary key as before. SQLite cannot change a primary key in place, so
-- the table is made again; every like so far is a person's.
CREATE TABLE likes_new (
    post_id      TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id      TEXT REFERENCES users (id),
    character_id TEXT REFERENCES characters (id),
    who          TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (post_id, who),
    CHECK ((user_id IS NULL) <> (character_id IS NULL) AND who = COALESCE(user_id, character_id))
);
INSERT INTO likes_new (post_id, user_id, who, created_at) SELECT post_id, user_id, user_id, created_at FROM likes;
DROP TABLE likes;
ALTER TABLE likes_new RENAME TO likes;
CREATE INDEX likes_newest ON likes (post_id, created_at DESC, who DESC);
CREATE INDEX likes_user ON likes (user_id);
CREATE INDEX likes_character ON likes (character_id) WHERE character_id IS NOT NULL;
