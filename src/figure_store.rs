//! Lesson figures kept in the database: `content::figures` as `db::figures` stores it.

use crate::content::figures::{Figure, FigureFile, FigureKind, Figures};
use crate::db::figures::{self, FigureRow};
use crate::db::{Db, WriteTx};

/// The figures stored for lesson `slug`, by the path it names them with.
pub async fn lesson_figures(db: &Db, slug: &str) -> Result<Figures, sqlx::Error> {
    figures::of_lesson(db, slug)
        .await?
        .into_iter()
        .map(|(path, row)| Ok((path, figure_of(row)?)))
        .collect()
}

/// Store `file` as the figure lesson `slug` names `path`; when that changes what the lesson
/// shows, its stored renders are made stale. True when it changed.
pub async fn store(
    tx: &mut WriteTx,
    slug: &str,
    path: &str,
    file: &FigureFile,
) -> Result<bool, sqlx::Error> {
    let figure = &file.figure;
    let row = FigureRow {
        sha256: figure.sha256.clone(),
        kind: figure.kind.id().to_owned(),
        width: i64::from(figure.width),
        height: i64::from(figure.height),
    };
    let changed = figures::put(tx, slug, path, &figure.file_name(), &row, &file.bytes).await?;
    if changed {
        figures::forget_renders(tx, slug).await?;
    }
    Ok(changed)
}

fn figure_of(row: FigureRow) -> Result<Figure, sqlx::Error> {
    let kind = FigureKind::from_id(&row.kind).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "kind".into(),
        source: format!("unknown figure kind {:?}", row.kind).into(),
    })?;
    Ok(Figure {
        sha256: row.sha256,
        kind,
        width: u32::try_from(row.width).unwrap_or(0),
        height: u32::try_from(row.height).unwrap_or(0),
    })
}
