-- A post counts the comments its visitors see: held and hidden comments are
-- no longer counted (they were before this migration).
UPDATE posts SET comments_count = (SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id AND c.review_state = '');
