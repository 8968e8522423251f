-- A world's posts are listed by hashtag: each post's tags, in lower case,
-- one row each.
CREATE TABLE post_hashtags (
    post_id TEXT COLLATE "C" NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
INSERT INTO post_hashtags (post_id, tag)
    SELECT DISTINCT p.id, lower(t) FROM posts p, unnest(p.hashtags) t
    ON CONFLICT DO NOTHING;
