-- Characters like posts too. A like is a person's (user_id) or an AI
-- character's (character_id); who is the one of them that is set, and a
-- post's likes are keyed by it, so that one like per liker is kept by the
-- primary key as before. Every like so far is a person's. SQLite cannot
-- change a primary key in place, so there the table is made again.
{{if .Postgres -}}
ALTER TABLE likes
    ADD COLUMN character_id {{.ID}} REFERENCES characters (id),
    ADD COLUMN who {{.ID}};
UPDATE likes SET who = user_id;
ALTER TABLE likes DROP CONSTRAINT likes_pkey;
ALTER TABLE likes
    ALTER COLUMN who SET NOT NULL,
    ALTER COLUMN user_id DROP NOT NULL,
    ADD PRIMARY KEY (post_id, who),
    ADD CONSTRAINT likes_one_liker CHECK ((user_id IS NULL) <> (character_id IS NULL) AND who = COALESCE(user_id, character_id));
DROP INDEX likes_newest;
{{- else -}}
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
CREATE INDEX likes_user ON likes (user_id);
{{- end}}
CREATE INDEX likes_newest ON likes (post_id, created_at DESC, who DESC);
CREATE INDEX likes_character ON likes (character_id) WHERE character_id IS NOT NULL;
