//! The data folder at start: created when missing, then proved writable by writing,
//! fsyncing and removing a small probe file, so a read-only, misplaced or full disk stops
//! the start with one line naming the path and the cause, before anything is written.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Bytes the probe writes: one page, so a disk without room for a page fails here.
const PROBE_BYTES: usize = 4096;

/// Make sure `dir` is a folder this process can write to and sync.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    if let Ok(metadata) = std::fs::metadata(dir) {
        anyhow::ensure!(
            metadata.is_dir(),
            "the data folder {} is not a folder (a file of that name is in the way)",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("could not create the data folder {}", dir.display()))?;
    probe(dir).with_context(|| format!("the data folder {} is not writable", dir.display()))
}

/// Write, fsync and remove a probe file in `dir`.
fn probe(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(format!(".lectern-write-probe-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    let written = file
        .write_all(&[0u8; PROBE_BYTES])
        .and_then(|()| file.sync_all());
    drop(file);
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_created_and_left_without_the_probe() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/data");
        prepare(&dir).unwrap();
        assert!(dir.is_dir());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no probe left");
    }

    #[test]
    fn a_file_in_the_way_is_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("data");
        std::fs::write(&file, b"keep me").unwrap();
        let message = format!("{:#}", prepare(&file).unwrap_err());
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(message.contains("not a folder"), "{message}");
        assert_eq!(std::fs::read(&file).unwrap(), b"keep me", "untouched");
    }
}
