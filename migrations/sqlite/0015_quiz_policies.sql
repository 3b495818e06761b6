-- Quiz policies and item analysis (API.md section 15).

-- An admin's fresh start for a learner sets `counted` to 0 on their attempts: they stay in
-- the history (and in the best score) but no longer count against `max_attempts`.
ALTER TABLE quiz_attempts ADD COLUMN counted BIGINT NOT NULL DEFAULT 1 CHECK (counted IN (0, 1));

-- Each attempt's outcome per question and the choices it picked, written with the attempt,
-- so that item analysis is SQL aggregates rather than a pass over every attempt's JSON.
CREATE TABLE quiz_answers (
    attempt_id BIGINT NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    correct BIGINT NOT NULL CHECK (correct IN (0, 1)),
    PRIMARY KEY (attempt_id, question_id)
);

CREATE TABLE quiz_picks (
    attempt_id BIGINT NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    choice_id BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, question_id, choice_id)
);

-- A lesson's learners and their first attempts; a lesson's readers and how far they got.
CREATE INDEX quiz_attempts_by_slug ON quiz_attempts (slug, user_id, id);
CREATE INDEX progress_by_slug ON progress (slug, percent);

-- The attempts made before this migration, from their stored results.
INSERT INTO quiz_answers (attempt_id, question_id, correct)
SELECT a.id, json_extract(r.value, '$.question_id'),
       CASE WHEN json_extract(r.value, '$.correct') THEN 1 ELSE 0 END
FROM quiz_attempts a, json_each(a.results) r;

INSERT INTO quiz_picks (attempt_id, question_id, choice_id)
SELECT a.id, json_extract(r.value, '$.question_id'), c.value
FROM quiz_attempts a, json_each(a.results) r, json_each(r.value, '$.chosen_choice_ids') c;
