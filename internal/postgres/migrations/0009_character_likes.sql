-- Characters like posts too. A like is a person's (user_id) or an AI
-- character's (character_id); who is the one of them that is set, and a
-- post's likes are keyed by it, so that one like per liker is kept by the
-- primary key as before. Every like so far is a person's.
ALTER TABLE likes
    ADD COLUMN character_id TEXT COLLATE "C" REFERENCES characters (id),
    ADD COLUMN who TEXT COLLATE "C";
UPDATE likes SET who = user_id;
ALTER TABLE likes DROP CONSTRAINT likes_pkey;
ALTER TABLE likes
    ALTER COLUMN who SET NOT NULL,
    ALTER COLUMN user_id DROP NOT NULL,
    ADD PRIMARY KEY (post_id, who),
    ADD CONSTRAINT likes_one_liker CHECK ((user_id IS NULL) <> (character_id IS NULL) AND who = COALESCE(user_id, character_id));
DROP INDEX likes_newest;
CREATE INDEX likes_newest ON likes (post_id, created_at DESC, who DESC);
CREATE INDEX likes_character ON likes (character_id) WHERE character_id IS NOT NULL;
