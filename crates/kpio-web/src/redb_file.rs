//! Making a redb file so that a kill at any instant leaves either no file or a whole one.
//!
//! `redb::Database::create` makes the file, then writes its header: a process killed in
//! between leaves a file that no later open accepts ("not a redb database"). So a new
//! store is made under a temporary name, its first transaction committed and synced, and
//! only then renamed into place.

use std::io;
use std::path::Path;

/// Makes the redb file at `path` if there is none.
pub(crate) fn create_whole(path: &Path) -> io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let tmp = path.with_extension("redb-new");
    // A leftover of a creation cut short.
    let _ = std::fs::remove_file(&tmp);
    {
        let db = redb::Database::create(&tmp).map_err(io::Error::other)?;
        let tx = db.begin_write().map_err(io::Error::other)?;
        tx.commit().map_err(io::Error::other)?;
    }
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_appears_whole_and_a_leftover_of_a_cut_creation_is_ignored() {
        let dir = std::env::temp_dir().join(format!("kpio-redb-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.redb");
        // What a kill during an earlier creation left: a file without a header.
        std::fs::write(path.with_extension("redb-new"), b"").unwrap();
        create_whole(&path).unwrap();
        assert!(!path.with_extension("redb-new").exists());
        drop(redb::Database::open(&path).unwrap());
        create_whole(&path).unwrap();
        drop(redb::Database::open(&path).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
