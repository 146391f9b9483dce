//! One writer per data folder: an OS file lock on `lookout.lock`, with the holder's pid written in it for people.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "lookout.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another lookout (pid {pid}) is working on {}; stop it first, or use another --data-dir",
        dir.display()
    )]
    Held { pid: String, dir: PathBuf },
    #[error("{} is a file, not a folder: --data-dir (or paths.data_dir) names the folder of the store", dir.display())]
    NotAFolder { dir: PathBuf },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while it lives; the OS lets go when the process ends in any way, so a lock left by a
/// killed process is simply taken (no stale-pid guessing, no race between two successors).
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    pub path: PathBuf,
}

pub fn acquire(data_dir: &Path) -> Result<DataLock, LockError> {
    let path = data_dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    if data_dir.exists() && !data_dir.is_dir() {
        return Err(LockError::NotAFolder {
            dir: data_dir.to_owned(),
        });
    }
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(LockError::Held {
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.to_owned()
                },
                dir: data_dir.to_owned(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // The previous holder's pid (if it died) is replaced by ours.
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(DataLock { _file: file, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_pid_and_the_lock_frees_on_drop() {
        let dir = std::env::temp_dir().join(format!("lookout-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A lock file left behind by someone else (a dead process) does not block.
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(LOCK_FILE), "999999\n").expect("stale");
        let held = acquire(&dir).expect("first");
        assert_eq!(
            std::fs::read_to_string(&held.path).expect("read").trim(),
            std::process::id().to_string()
        );
        let err = acquire(&dir).expect_err("second");
        assert!(
            matches!(&err, LockError::Held { pid, .. } if *pid == std::process::id().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("another lookout"));
        drop(held);
        acquire(&dir).expect("free again");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
