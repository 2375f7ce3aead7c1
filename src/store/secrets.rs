//! Where tokens and the client secret live: the OS keychain, or a private
//! file in the config dir. Both hold one string per account name.

use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

use super::fs::{ConfigDir, read_json, write_json};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The keychain service name: one entry per account under it.
pub const SERVICE: &str = "mplink";
const PROBE: &str = "mplink:probe";

/// A place for secrets. Callers of `set` and `delete` on the file store hold
/// the config dir lock.
pub trait SecretStore: Send + Sync {
    /// `None` when the account has no secret.
    fn get(&self, account: &str) -> Result<Option<Secret>>;
    fn set(&self, account: &str, value: &Secret) -> Result<()>;
    /// `false` when there was nothing to delete.
    fn delete(&self, account: &str) -> Result<bool>;
    /// Proves the store can be written, before the user depends on it.
    fn check(&self) -> Result<()>;
}

/// `credentials.json`, mode 0600, in the config dir.
pub struct FileSecrets {
    dir: ConfigDir,
}

#[derive(Default, Serialize, Deserialize)]
struct CredentialsFile {
    version: u32,
    secrets: BTreeMap<String, Secret>,
}

impl FileSecrets {
    pub fn new(dir: ConfigDir) -> Self {
        FileSecrets { dir }
    }

    fn load(&self) -> Result<CredentialsFile> {
        Ok(read_json(&self.dir.file("credentials.json"))?.unwrap_or_default())
    }

    fn save(&self, file: &CredentialsFile) -> Result<()> {
        self.dir.make_private()?;
        write_json(&self.dir.file("credentials.json"), file)
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        Ok(self.load()?.secrets.remove(account))
    }

    fn set(&self, account: &str, value: &Secret) -> Result<()> {
        let mut file = self.load()?;
        file.version = 1;
        file.secrets.insert(account.to_string(), value.clone());
        self.save(&file)
    }

    fn delete(&self, account: &str) -> Result<bool> {
        let mut file = self.load()?;
        if file.secrets.remove(account).is_none() {
            return Ok(false);
        }
        self.save(&file)?;
        Ok(true)
    }

    fn check(&self) -> Result<()> {
        self.dir.check_writable()?;
        self.load().map(drop)
    }
}

/// The platform keychain through keyring: macOS Keychain, Windows
/// Credential Manager, or the Secret Service over D-Bus. Every call runs on
/// its own thread and is abandoned after `timeout`, so a locked or stuck
/// keychain cannot hang mplink.
pub struct Keychain {
    store: Arc<CredentialStore>,
    timeout: Duration,
}

impl Keychain {
    pub fn open(timeout: Duration) -> Result<Keychain> {
        let store =
            bounded(
                timeout,
                "connecting to the keychain",
                || match keyring::Entry::store_status() {
                    Ok(()) => {
                        keyring_core::get_default_store().ok_or(keyring_core::Error::NoDefaultStore)
                    }
                    Err(err) => Err(clone_error(err)),
                },
            )?;
        Ok(Keychain { store, timeout })
    }

    /// A keychain over any keyring-core store, such as the in-memory mock.
    #[cfg(test)]
    pub fn with_store(store: Arc<CredentialStore>, timeout: Duration) -> Keychain {
        Keychain { store, timeout }
    }

    fn call<T: Send + 'static>(
        &self,
        what: String,
        account: &str,
        op: impl FnOnce(Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.store.clone();
        let account = account.to_string();
        bounded(self.timeout, &what, move || {
            op(Entry::new_in_store(&store, SERVICE, &account)?)
        })
    }
}

impl SecretStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        let what = format!("reading '{account}' from the keychain");
        self.call(what, account, |entry| match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })
    }

    fn set(&self, account: &str, value: &Secret) -> Result<()> {
        let what = format!("saving '{account}' to the keychain");
        let value = value.clone();
        self.call(what, account, move |entry| {
            entry.set_password(value.expose())
        })
    }

    fn delete(&self, account: &str) -> Result<bool> {
        let what = format!("deleting '{account}' from the keychain");
        self.call(what, account, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(err),
        })
    }

    fn check(&self) -> Result<()> {
        // A write is what a locked collection refuses; reading proves little.
        let probe = Secret::new("probe");
        self.set(PROBE, &probe)?;
        self.delete(PROBE).map(drop)
    }
}

/// Runs a blocking keychain call on its own thread, waiting at most
/// `timeout`. A call that overruns is left behind: the process ends soon.
fn bounded<T: Send + 'static>(
    timeout: Duration,
    what: &str,
    op: impl FnOnce() -> keyring_core::Result<T> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(op());
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(keychain_error(what, &err)),
        Err(_) => Err(Error::store(format!(
            "the keychain did not answer within {} while {what}",
            humantime::format_duration(timeout)
        ))
        .with_hint(
            "unlock the keychain, raise --keychain-timeout, or use `--store file` on a \
             machine without a desktop session",
        )),
    }
}

fn keychain_error(what: &str, err: &keyring_core::Error) -> Error {
    let detail = err.to_string();
    let hint = if detail.contains("prompt dismissed") || detail.contains("locked") {
        "unlock the keychain (log in to the desktop, or run `gnome-keyring-daemon --unlock`), \
         or use `--store file`"
    } else if detail.contains("zbus") || detail.contains("ServiceUnknown") {
        "no Secret Service is running (GNOME Keyring, KWallet, KeePassXC...); on a headless \
         machine use `--store file`"
    } else {
        "check that the keychain is unlocked, or use `--store file`"
    };
    Error::store(format!("keychain failed while {what}: {detail}")).with_hint(hint)
}

/// keyring keeps its start-up result in a static; errors are not `Clone`,
/// so carry the message over.
fn clone_error(err: &keyring_core::Error) -> keyring_core::Error {
    keyring_core::Error::NotSupportedByStore(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> Keychain {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keychain::with_store(store, Duration::from_secs(2))
    }

    #[test]
    fn keychain_round_trip_through_the_mock_store() {
        let keychain = mock();
        assert!(keychain.get("seller").unwrap().is_none());
        keychain.set("seller", &Secret::new("{\"a\":1}")).unwrap();
        assert_eq!(
            keychain.get("seller").unwrap().unwrap().expose(),
            "{\"a\":1}"
        );
        assert!(keychain.delete("seller").unwrap());
        assert!(!keychain.delete("seller").unwrap());
        keychain.check().unwrap();
    }

    #[test]
    fn keychain_errors_become_store_errors_with_a_hint() {
        let err = keychain_error(
            "saving 'x' to the keychain",
            &keyring_core::Error::NoStorageAccess(Box::new(std::io::Error::other(
                "SS error: prompt dismissed",
            ))),
        );
        assert_eq!(err.exit, crate::error::Exit::Store);
        assert!(err.hint.unwrap().contains("--store file"));
    }

    #[test]
    fn a_hanging_call_times_out() {
        let started = std::time::Instant::now();
        let err = bounded(Duration::from_millis(100), "testing", || {
            std::thread::sleep(Duration::from_secs(5));
            Ok(())
        })
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(err.message.contains("did not answer"), "{}", err.message);
    }
}
