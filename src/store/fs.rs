//! The config dir: private permissions, atomic JSON files, and locks shared
//! by every mplink process on the machine.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result, io_error};

#[derive(Clone, Debug)]
pub struct ConfigDir {
    path: PathBuf,
}

/// An exclusive lock on a file, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl ConfigDir {
    pub fn new(path: PathBuf) -> Self {
        ConfigDir { path }
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Creates the directory, private to the user, if it does not exist.
    pub fn create(&self) -> Result<()> {
        create_private_dir(&self.path)
    }

    /// Takes group's and others' access away from the directory, which is
    /// about to hold the credentials file, whoever created it.
    pub fn make_private(&self) -> Result<()> {
        self.create()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta =
                fs::metadata(&self.path).map_err(|err| io_error("inspect", &self.path, err))?;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                fs::set_permissions(&self.path, fs::Permissions::from_mode(mode & 0o700 | 0o700))
                    .map_err(|err| io_error("make private", &self.path, err))?;
            }
        }
        Ok(())
    }

    /// Proves that files can be created here, before anything depends on it.
    pub fn check_writable(&self) -> Result<()> {
        self.create()?;
        let probe = self.file(&format!(".probe.{}", std::process::id()));
        let written = write_private(&probe, b"probe");
        let _ = fs::remove_file(&probe);
        written.map_err(|err| io_error("write to the config dir", &self.path, err))
    }

    /// Serialises every read-modify-write of the files in this directory.
    pub fn lock(&self) -> Result<Lock> {
        self.create()?;
        lock_file(&self.file("mplink.lock"))
    }

    /// Serialises refreshes of one link across processes: its refresh token
    /// works only once.
    pub fn lock_link(&self, name: &str) -> Result<Lock> {
        let dir = self.file("locks");
        create_private_dir(&dir)?;
        lock_file(&dir.join(format!("{name}.lock")))
    }
}

fn lock_file(path: &Path) -> Result<Lock> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|err| io_error("open the lock file", path, err))?;
    file.lock().map_err(|err| io_error("lock", path, err))?;
    Ok(Lock { _file: file })
}

fn create_private_dir(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(path)
        .map_err(|err| io_error("create the directory", path, err))
}

/// Reads a JSON file; `None` when it does not exist. A file that does not
/// parse is an error naming it, and is left alone for the user to inspect.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_error("read", path, err)),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|err| {
        Error::store(format!("{} is damaged: {err}", path.display())).with_hint(format!(
            "mplink leaves it untouched; move it aside (`mv {0} {0}.bak`) to start afresh, \
             or restore it from a backup",
            path.display()
        ))
    })
}

/// Replaces `path` with `value` as JSON, atomically: a reader (or a crash)
/// sees the old file or the new one, never a mix.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|err| Error::failure(format!("cannot encode {}: {err}", path.display())))?;
    bytes.push(b'\n');
    replace_atomically(path, &bytes).map_err(|err| io_error("write", path, err))
}

fn replace_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    remove_stale_temps(dir, name);
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_private(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
        return result;
    }
    // The rename is durable only once the directory itself is on disk.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Removes what saves killed before their rename left: whole copies of the
/// file (of every token, for credentials.json) that logout would miss.
/// Every writer holds the config dir lock, so no live process owns one.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes a new file readable by the owner only, and flushes it to disk.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "mplink-fs-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn json_files_are_private_and_round_trip() {
        let root = temp_dir().join("nested");
        let dir = ConfigDir::new(root.clone());
        dir.create().unwrap();
        let path = dir.file("x.json");
        write_json(&path, &vec![1, 2, 3]).unwrap();
        assert_eq!(read_json::<Vec<i32>>(&path).unwrap(), Some(vec![1, 2, 3]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&root), 0o700);
        }
        let leftovers: Vec<_> = fs::read_dir(&root).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        fs::remove_dir_all(root.parent().unwrap()).unwrap();
    }

    #[test]
    fn damaged_json_is_reported_with_its_path() {
        let dir = temp_dir();
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("links.json");
        fs::write(&path, "{not json").unwrap();
        let err = read_json::<Vec<i32>>(&path).unwrap_err();
        assert_eq!(err.exit, crate::error::Exit::Store);
        assert!(err.message.contains("links.json"), "{}", err.message);
        assert_eq!(fs::read_to_string(&path).unwrap(), "{not json");
        assert_eq!(
            read_json::<Vec<i32>>(&dir.join("missing.json")).unwrap(),
            None
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
