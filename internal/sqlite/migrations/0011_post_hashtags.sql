-- A world's posts are listed by hashtag: each post's tags, in lower case,
-- one row each.
CREATE TABLE post_hashtags (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
INSERT OR IGNORE INTO post_hashtags (post_id, tag)
    SELECT p.id, lower(j.value) FROM posts p, json_each(p.hashtags) j;
