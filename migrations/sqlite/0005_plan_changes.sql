-- Who changed whose plan, from what to what, and when (admin edits are recorded with the
-- admin's email as `author`). Rows go with the account when it is deleted.
CREATE TABLE plan_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_plan TEXT NOT NULL,
    to_plan TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX plan_changes_by_user ON plan_changes (user_id, created_at);
