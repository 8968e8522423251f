-- The calls of each kind that failed or whose answers could not be used, and the time they took: their steps are
-- still to do, which a generation's time left is measured by.
ALTER TABLE generation_status ADD COLUMN llm_calls_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN llm_failed_busy_us {{.BigInt}} NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN image_calls_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN image_failed_busy_us {{.BigInt}} NOT NULL DEFAULT 0;
