-- Learning: reading progress, bookmarks and quiz attempts. Rows name lessons by slug with no
-- foreign key to `lessons`, so a learner's record outlives a lesson's deletion; they go
-- with the user (ON DELETE CASCADE).
CREATE TABLE progress (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    -- How far the reader got, 0..=100; it never goes down.
    percent BIGINT NOT NULL CHECK (percent >= 0 AND percent <= 100),
    -- The first time the lesson was completed; kept once set.
    completed_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, slug)
);

CREATE TABLE bookmarks (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, slug)
);

-- Each attempt keeps the revision it was taken against, the answers given and the
-- per-question results (with the answer key and explanations of that revision), so it
-- stays meaningful after the lesson is edited.
CREATE TABLE quiz_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    revision BIGINT NOT NULL,
    -- JSON: {"<question id>": [choice id, ...]}, as validated.
    answers TEXT NOT NULL,
    -- JSON: [{question_id, correct, chosen_choice_ids, correct_choice_ids, explanation}].
    results TEXT NOT NULL,
    score BIGINT NOT NULL,
    total BIGINT NOT NULL,
    percent BIGINT NOT NULL CHECK (percent >= 0 AND percent <= 100),
    passed BIGINT NOT NULL CHECK (passed IN (0, 1)),
    created_at TEXT NOT NULL
);

CREATE INDEX quiz_attempts_by_user ON quiz_attempts (user_id, slug, id);
