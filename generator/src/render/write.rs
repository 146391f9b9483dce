//! Writes output files atomically (temp + rename) and skips files whose content has not changed.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::BuildError;
pub use crate::store::FileEntry as Entry;

pub struct Writer {
    root: PathBuf,
    /// Hashes recorded by the previous build, for the paths this build may write.
    known: HashMap<String, Entry>,
    /// On an incremental build, the paths the page kinds said they may write; a file written
    /// outside them is noted (it would be rewritten on every build).
    declared: Option<HashSet<String>>,
    undeclared: Mutex<Vec<String>>,
    files: Mutex<Vec<(String, Entry)>>,
    dirs: Mutex<HashSet<PathBuf>>,
    pub written: AtomicUsize,
    pub unchanged: AtomicUsize,
    /// Snapshot pages rendered (by `render_snapshot`).
    pub snapshots: AtomicUsize,
    counter: AtomicU64,
}

pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Suffix of temporary files; a killed run may leave some, removed by the next full build.
pub const TMP_SUFFIX: &str = ".lookout-tmp";

impl Writer {
    /// The output folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files in the folder `dir` of the site, as site paths (`dir/name`; none when it is not
    /// there): one directory read where a build would otherwise ask the file system about each
    /// of a few hundred paths in turn.
    pub fn files_in(&self, dir: &str) -> HashSet<String> {
        std::fs::read_dir(self.root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .map(|name| format!("{dir}/{name}"))
            .collect()
    }

    pub fn new(root: &Path, known: HashMap<String, Entry>) -> Writer {
        Writer {
            root: root.to_owned(),
            known,
            declared: None,
            undeclared: Mutex::new(Vec::new()),
            files: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            snapshots: AtomicUsize::new(0),
            counter: AtomicU64::new(0),
        }
    }

    /// Keeps `rels` as the last build wrote them, if it recorded each and each is still there:
    /// they count as unchanged and stay in the manifest, unwritten. False (keeping none) else.
    pub fn keep(&self, rels: &[String]) -> bool {
        // The size on disk, so a manifest that lacks it (or has a stale one) learns it.
        let entries: Option<Vec<Entry>> = rels
            .iter()
            .map(|r| {
                let known = self.known.get(r)?;
                let meta = std::fs::metadata(self.root.join(r)).ok()?;
                meta.is_file().then_some(Entry {
                    hash: known.hash,
                    size: meta.len(),
                })
            })
            .collect();
        let Some(entries) = entries else {
            return false;
        };
        let mut files = lock(&self.files);
        for (r, e) in rels.iter().zip(entries) {
            files.push((r.clone(), e));
        }
        self.unchanged.fetch_add(rels.len(), Ordering::Relaxed);
        true
    }

    /// A writer that notes every file written outside `declared`.
    pub fn declared(mut self, declared: HashSet<String>) -> Writer {
        self.declared = Some(declared);
        self
    }

    /// Puts `bytes` at `rel` unless the previous build wrote the same bytes there and the file is still there.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
        if self.declared.as_ref().is_some_and(|d| !d.contains(rel)) {
            lock(&self.undeclared).push(rel.to_owned());
        }
        self.put_new(rel, bytes)
    }

    /// `put` for a file written once and never again (its writer checked it is not there yet),
    /// which no page kind need declare.
    pub fn put_new(&self, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let h = hash(bytes);
        let dest = self.root.join(rel);
        if self.known.get(rel).map(|k| k.hash) == Some(h) && dest.is_file() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            self.write_atomic(&dest, bytes)?;
            tracing::trace!("wrote {rel}");
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        let size = bytes.len() as u64;
        lock(&self.files).push((rel.to_owned(), Entry { hash: h, size }));
        Ok(())
    }

    fn write_atomic(&self, dest: &Path, bytes: &[u8]) -> Result<(), BuildError> {
        let io = |source| BuildError::Write {
            path: dest.to_owned(),
            source,
        };
        let parent = dest.parent().unwrap_or(&self.root);
        {
            // Held while creating, so no other thread writes into a folder that is not there yet.
            let mut dirs = self
                .dirs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !dirs.contains(parent) {
                std::fs::create_dir_all(parent).map_err(io)?;
                dirs.insert(parent.to_owned());
            }
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        write_atomic(dest, bytes, n).map_err(io)
    }

    /// What the manifest must learn: files whose hash is new, and (after a full build, which
    /// produced every file) the recorded files it did not produce; and the files written
    /// outside `declared`.
    pub fn changes(mut self, full: bool) -> (Vec<(String, Entry)>, Vec<String>, Vec<String>) {
        let known = std::mem::take(&mut self.known);
        let (files, undeclared) = self.into_files();
        let removed = if full {
            let made: HashSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
            known
                .keys()
                .filter(|p| !made.contains(p.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let changed = files
            .into_iter()
            .filter(|(p, e)| known.get(p) != Some(e))
            .collect();
        (changed, removed, undeclared)
    }

    /// Every file this build produced, with its hash, and those written outside `declared`.
    pub fn into_files(self) -> (Vec<(String, Entry)>, Vec<String>) {
        (
            self.files
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
            self.undeclared
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes `bytes` to a temporary file beside `dest`, then renames it over `dest`, so a reader (or a
/// killed run) sees the old file or the new one, never half of one. `unique` tells apart
/// temporary files written at once by one process.
pub fn write_atomic(dest: &Path, bytes: &[u8], unique: u64) -> std::io::Result<()> {
    let parent = dest.parent().unwrap_or_else(|| Path::new("."));
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = parent.join(format!(
        ".{name}.{}.{unique}{TMP_SUFFIX}",
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes temporary files a killed run left behind.
/// The output folder's owner: the data folder whose site it holds. A second data folder
/// building into it would mix two sites, each build undoing the other's pages.
pub const OWNER: &str = ".lookout-owner";
/// Present while a build runs: found at the start of the next one, the last was killed, and its
/// temp files are swept (a full walk only then, so an incremental build stays cheap).
pub const BUILDING: &str = ".lookout-building";

/// Claims `out` for the data folder `owner`, or says whose it is.
pub fn claim(out: &Path, owner: &Path) -> Result<(), super::BuildError> {
    let me = std::fs::canonicalize(owner)
        .unwrap_or_else(|_| owner.to_owned())
        .to_string_lossy()
        .into_owned();
    let path = out.join(OWNER);
    match std::fs::read_to_string(&path) {
        Ok(them) if them.trim() == me => Ok(()),
        Ok(them) if !them.trim().is_empty() => Err(super::BuildError::Owned {
            out: out.to_owned(),
            owner: them.trim().to_owned(),
        }),
        _ => write_atomic(&path, me.as_bytes(), 0)
            .map_err(|source| super::BuildError::Write { path, source }),
    }
}

/// Marks a build as running; sweeps a killed one's temp files first. Whether it swept.
pub fn begin(out: &Path, full: bool) -> Result<bool, super::BuildError> {
    let marker = out.join(BUILDING);
    let killed = marker.exists();
    if full || killed {
        sweep_temp_files(out);
    }
    std::fs::write(&marker, b"").map_err(|source| super::BuildError::Write {
        path: marker,
        source,
    })?;
    Ok(killed)
}

/// The build finished: the next one need not sweep.
pub fn end(out: &Path) {
    let _ = std::fs::remove_file(out.join(BUILDING));
}

pub fn sweep_temp_files(root: &Path) -> usize {
    let mut removed = 0;
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t)
                    if t.is_file()
                        && path
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with('.') && n.ends_with(TMP_SUFFIX)) =>
                {
                    removed += usize::from(std::fs::remove_file(&path).is_ok());
                }
                _ => {}
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_sharing_new_folders_never_write_into_a_missing_one() {
        let dir = std::env::temp_dir().join(format!("lookout-write-par-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let w = Writer::new(&dir, HashMap::new());
        std::thread::scope(|s| {
            for t in 0..4 {
                let w = &w;
                s.spawn(move || {
                    for i in 0..300 {
                        w.put(&format!("d{}/e{}/f{t}-{i}.html", i % 40, i % 7), b"x")
                            .expect("write");
                    }
                });
            }
        });
        assert_eq!(w.into_files().0.len(), 1200);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn files_written_outside_the_declared_ones_are_noted_and_written() {
        let dir = std::env::temp_dir().join(format!("lookout-declared-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let w = Writer::new(&dir, HashMap::new()).declared(HashSet::from(["a.html".to_owned()]));
        w.put("a.html", b"a").expect("declared");
        w.put("b.html", b"b").expect("undeclared");
        w.put_new("c.csv", b"c").expect("written once");
        let (files, undeclared) = w.into_files();
        assert_eq!(files.len(), 3);
        assert_eq!(undeclared, ["b.html"]);
        assert_eq!(std::fs::read(dir.join("b.html")).expect("read"), b"b");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn skips_unchanged_and_rewrites_changed_or_missing() {
        let dir = std::env::temp_dir().join(format!("lookout-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let w = Writer::new(&dir, HashMap::new());
        w.put("a/b.html", b"one").expect("write");
        let (files, _) = w.into_files();
        assert_eq!(std::fs::read(dir.join("a/b.html")).expect("read"), b"one");

        let known: HashMap<String, Entry> = files.into_iter().collect();
        let w = Writer::new(&dir, known.clone());
        w.put("a/b.html", b"one").expect("same");
        assert_eq!(w.unchanged.load(Ordering::Relaxed), 1);
        w.put("a/b.html", b"two").expect("changed");
        assert_eq!(w.written.load(Ordering::Relaxed), 1);

        std::fs::remove_file(dir.join("a/b.html")).expect("rm");
        let w = Writer::new(&dir, known);
        w.put("a/b.html", b"one").expect("missing is rewritten");
        assert_eq!(w.written.load(Ordering::Relaxed), 1);
        assert!(dir.join("a/b.html").is_file());

        std::fs::write(dir.join("a/.b.html.1.0.lookout-tmp"), b"half").expect("tmp");
        assert_eq!(sweep_temp_files(&dir), 1);
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("a"))
            .expect("ls")
            .flatten()
            .collect();
        assert_eq!(leftovers.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
