-- Quiz policies and item analysis (API.md section 15).

-- An admin's fresh start for a learner sets `counted` to 0 on their attempts: they stay in
-- the history (and in the best score) but no longer count against `max_attempts`.
ALTER TABLE quiz_attempts ADD COLUMN counted BIGINT NOT NULL DEFAULT 1 CHECK (counted IN (0, 1));

-- Each learner's first attempt at a lesson's quiz (on any revision), the one attempt item
-- analysis reads, written with it: `outcomes` is a JSON array with one entry per question
-- asked, `[question id, right (true or false), [ids of the choices picked]]`. A lesson's
-- item statistics are then one pass over one row per learner, whatever the attempts.
CREATE TABLE quiz_firsts (
    slug TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempt_id BIGINT NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    outcomes TEXT NOT NULL,
    PRIMARY KEY (slug, user_id)
);

-- A lesson's learners and their attempts; a lesson's readers and how far they got.
CREATE INDEX quiz_attempts_by_slug ON quiz_attempts (slug, user_id, id);
CREATE INDEX progress_by_slug ON progress (slug, percent);

-- The first attempts made before this migration, from their stored results.
INSERT INTO quiz_firsts (slug, user_id, attempt_id, outcomes)
SELECT a.slug, a.user_id, a.id,
       (SELECT json_group_array(json_array(
                   json_extract(r.value, '$.question_id'),
                   json(CASE WHEN json_extract(r.value, '$.correct') THEN 'true' ELSE 'false' END),
                   json(COALESCE(json_extract(r.value, '$.chosen_choice_ids'), '[]'))))
        FROM json_each(a.results) r)
FROM quiz_attempts a
WHERE a.id = (SELECT MIN(b.id) FROM quiz_attempts b WHERE b.slug = a.slug AND b.user_id = a.user_id);
