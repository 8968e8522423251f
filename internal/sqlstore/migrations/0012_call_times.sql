-- The calls of each kind answered so far and the time they took: the speed a generation's time left is measured by.
ALTER TABLE generation_status ADD COLUMN llm_calls_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN llm_busy_us {{.BigInt}} NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN image_calls_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN image_busy_us {{.BigInt}} NOT NULL DEFAULT 0;
