//! The admin: lessons published through the JSON API and the pages, validation, sanitising,
//! role checks, courses, users and plans, revisions, content files, narrations, and two
//! instances sharing one PostgreSQL database.

mod access;
mod analytics;
mod content_files;
mod courses;
mod instances;
mod lessons;
mod narrations;
mod pages;
mod revisions;
mod sanitising;
mod users;
mod validation;
