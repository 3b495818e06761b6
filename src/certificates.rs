//! Certificates of completion (API.md section 6): a Pro learner who completed every
//! published lesson of a course and passed every quiz in it may claim one. Certificates are
//! public by id (at least 128 random bits) and never show the holder's email.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::random_token;
use crate::catalog::Snapshot;
use crate::db::certificates::{self as store, CertificateRow};
use crate::db::learning as progress;
use crate::db::users::User;
use crate::db::Db;
use crate::error::AppError;
use crate::media;
use crate::plans::{self, Capability};
use crate::webhooks::{self, Event};

/// A certificate as the API returns it to its holder.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub id: String,
    pub course: String,
    pub course_title: String,
    pub holder_name: String,
    pub issued_at: String,
    pub verify_url: String,
    pub pdf_url: String,
}

impl Certificate {
    pub fn of(public_url: &str, row: &CertificateRow) -> Certificate {
        Certificate {
            id: row.id.clone(),
            course: row.course_slug.clone(),
            course_title: row.course_title.clone(),
            holder_name: row.holder_name.clone(),
            issued_at: row.issued_at.clone(),
            verify_url: verify_url(public_url, &row.id),
            pdf_url: format!("/api/v1/certificates/{}/pdf", row.id),
        }
    }
}

/// Where anyone can check a certificate: `public_url` is the site's base URL.
pub fn verify_url(public_url: &str, id: &str) -> String {
    format!("{public_url}/certificates/{id}")
}

/// The public view of a certificate: no email, no user id.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicCertificate<'a> {
    pub id: &'a str,
    pub holder_name: &'a str,
    pub course_title: &'a str,
    pub issued_at: &'a str,
    pub valid: bool,
}

impl<'a> PublicCertificate<'a> {
    pub fn of(row: &'a CertificateRow) -> PublicCertificate<'a> {
        PublicCertificate {
            id: &row.id,
            holder_name: &row.holder_name,
            course_title: &row.course_title,
            issued_at: &row.issued_at,
            valid: true,
        }
    }
}

/// 403 `plan_required` unless the user's plan grants certificates.
pub fn require_plan(user: &User) -> Result<(), AppError> {
    if plans::allows(user.plan, Capability::Certificates) {
        Ok(())
    } else {
        Err(AppError::PlanRequired(plans::required_plan(
            Capability::Certificates,
        )))
    }
}

/// The published lessons of the course the user has not finished: not completed, or with a
/// quiz not yet passed. `None` for an unknown course.
pub async fn missing_lessons(
    db: &Db,
    catalog: &Snapshot,
    user: &User,
    course_slug: &str,
) -> Result<Option<(String, Vec<String>)>, AppError> {
    let Some(course) = catalog.course(course_slug) else {
        return Ok(None);
    };
    let done: HashMap<String, bool> = progress::progress_of(db, &user.id)
        .await?
        .into_iter()
        .map(|p| (p.slug, p.completed_at.is_some()))
        .collect();
    let passed: HashMap<String, bool> = progress::quiz_stats_of(db, &user.id)
        .await?
        .into_iter()
        .map(|(slug, stats)| (slug, stats.passed))
        .collect();
    let missing = course
        .lessons
        .iter()
        .filter(|l| l.is_published())
        .filter(|l| {
            let completed = done.get(l.slug.as_str()).copied().unwrap_or(false);
            let quiz_ok =
                l.rendered.quiz.is_none() || passed.get(l.slug.as_str()).copied().unwrap_or(false);
            !(completed && quiz_ok)
        })
        .map(|l| l.slug.to_string())
        .collect();
    Ok(Some((course.title.clone(), missing)))
}

/// Claim the certificate of a course: the one already held (false), a new one (true, with
/// its `certificate.issued` event), or 409 `course_incomplete` naming the lessons still to do.
pub async fn claim(
    db: &Db,
    catalog: &Snapshot,
    user: &User,
    course_slug: &str,
) -> Result<(CertificateRow, bool), AppError> {
    require_plan(user)?;
    if let Some(held) = store::by_user_course(db, &user.id, course_slug).await? {
        return Ok((held, false));
    }
    let (course_title, missing) = missing_lessons(db, catalog, user, course_slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !missing.is_empty() {
        return Err(AppError::Conflict {
            code: "course_incomplete",
            message: format!(
                "Finish every lesson and pass every quiz first: {} still to do.",
                missing.len()
            ),
            missing: Some(missing),
        });
    }
    let new = CertificateRow {
        id: random_token(),
        user_id: Some(user.id.to_string()),
        course_slug: course_slug.to_owned(),
        course_title,
        holder_name: user.name.clone(),
        issued_at: crate::db::now(),
    };
    let mut tx = db.begin_write().await?;
    let (row, created) = store::issue(&mut tx, &new).await?;
    if created {
        let event = Event::CertificateIssued {
            user_id: &user.id,
            certificate_id: &row.id,
            course: &row.course_slug,
        };
        webhooks::record(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok((row, created))
}

/// The user's certificates, newest first.
pub async fn of_user(db: &Db, public_url: &str, user: &User) -> Result<Vec<Certificate>, AppError> {
    Ok(store::of_user(db, &user.id)
        .await?
        .iter()
        .map(|row| Certificate::of(public_url, row))
        .collect())
}

/// A certificate by id; 404 when there is none.
pub async fn find(db: &Db, id: &str) -> Result<CertificateRow, AppError> {
    store::by_id(db, id).await?.ok_or(AppError::NotFound)
}

/// The certificate as a landscape PDF with a QR code of its verify URL, and its ETag. Made
/// once and kept in the data folder, named by a hash of what it shows (so a new public URL
/// makes a new one).
pub async fn pdf(
    data_dir: &Path,
    public_url: &str,
    row: &CertificateRow,
) -> Result<(Vec<u8>, String), AppError> {
    let verify = verify_url(public_url, &row.id);
    let date = row.issued_at.get(..10).unwrap_or(&row.issued_at).to_owned();
    let shown = [&row.holder_name, &row.course_title, &date, &row.id, &verify];
    let digest = Sha256::digest(serde_json::to_vec(&shown).map_err(AppError::internal)?);
    let etag = format!(
        "certificate-{}-{}-v{}",
        row.id,
        &hex::encode(digest)[..16],
        media::PDF_VERSION
    );
    let path = media::certificate_cache_path(data_dir, &etag);
    let (holder_name, course_title, id) = (
        row.holder_name.clone(),
        row.course_title.clone(),
        row.id.clone(),
    );
    let body = media::cached_pdf(path, move || {
        media::pdf::render_certificate(&media::pdf::PdfCertificate {
            holder_name: &holder_name,
            course_title: &course_title,
            date: &date,
            id: &id,
            verify_url: &verify,
        })
    })
    .await?;
    Ok((body, etag))
}
