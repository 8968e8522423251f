-- A world's posts are listed by hashtag: each post's tags, in lower case,
-- one row each.
CREATE TABLE post_hashtags (
    post_id {{.ID}} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
{{if .Postgres -}}
INSERT INTO post_hashtags (post_id, tag)
    SELECT DISTINCT p.id, lower(t) FROM posts p, unnest(p.hashtags) t
    ON CONFLICT DO NOTHING;
{{- else -}}
INSERT OR IGNORE INTO post_hashtags (post_id, tag)
    SELECT p.id, lower(j.value) FROM posts p, json_each(p.hashtags) j;
{{- end}}
