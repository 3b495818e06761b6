-- Courses, lessons and every revision of every lesson.
CREATE TABLE courses (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE lessons (
    slug TEXT PRIMARY KEY,
    course TEXT NOT NULL REFERENCES courses (slug),
    position BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    revision BIGINT NOT NULL,
    -- The content file this lesson was imported from, and its text at that import.
    source_path TEXT,
    imported_source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX lessons_by_course ON lessons (course, position);

CREATE TABLE lesson_revisions (
    slug TEXT NOT NULL REFERENCES lessons (slug) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    source TEXT NOT NULL,
    -- The rendered lesson as JSON, with the renderer version that made it.
    rendered TEXT NOT NULL,
    render_version BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (slug, revision)
);

-- Counters shared by every instance; `catalog_generation` grows with each content change.
CREATE TABLE site_state (
    key TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO site_state (key, value) VALUES ('catalog_generation', 0);
