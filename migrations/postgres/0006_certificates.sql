-- Certificates of completion. The holder's name and the course title are copied onto the
-- row when it is issued, so a certificate stays verifiable after the account is deleted
-- (user_id becomes NULL) or the course is renamed.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    course_slug TEXT NOT NULL,
    course_title TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    issued_at TEXT NOT NULL
);

CREATE UNIQUE INDEX certificates_by_user_course ON certificates (user_id, course_slug);
