-- A course's glossary (its glossary.md), as Markdown; NULL when the course has none.
ALTER TABLE courses ADD COLUMN glossary TEXT;
