//! The links mplink knows: their metadata in a JSON index in the config dir,
//! their tokens in a secret store (the keychain or a private file).
//!
//! The store's calls block; async code runs them through [`Store::run`].

pub mod app;
pub mod fs;
pub mod secrets;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use self::app::{SECRET_ACCOUNT, SavedApp};
use self::fs::{ConfigDir, Lock, read_json, write_json};
use self::secrets::{FileSecrets, Keychain, SecretStore};
use crate::error::{Error, Exit, Result};
use crate::secret::Secret;
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Keychain,
    File,
}

impl StoreKind {
    pub fn parse(name: &str) -> Option<StoreKind> {
        match name.to_ascii_lowercase().as_str() {
            "keychain" => Some(StoreKind::Keychain),
            "file" => Some(StoreKind::File),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Keychain => "keychain",
            StoreKind::File => "file",
        }
    }

    /// The store as a sentence names it: "saved in the {place}".
    pub fn place(self) -> &'static str {
        match self {
            StoreKind::Keychain => "keychain",
            StoreKind::File => "credentials file",
        }
    }
}

/// What mplink knows of a link, apart from its tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkMeta {
    pub name: String,
    pub user_id: u64,
    pub live_mode: bool,
    pub test_token: bool,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    #[serde(default)]
    pub refreshed_at: Option<Timestamp>,
    pub expires_at: Timestamp,
    pub store: StoreKind,
}

/// A link's tokens, kept together as one secret so that a refreshed pair
/// replaces the old one in a single write.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
}

impl Tokens {
    fn encode(&self) -> Secret {
        // Serialising two strings cannot fail.
        Secret::new(serde_json::to_string(self).unwrap_or_default())
    }

    fn decode(secret: &Secret, name: &str) -> Result<Tokens> {
        serde_json::from_str(secret.expose()).map_err(|_| {
            Error::store(format!("the stored tokens of link '{name}' are damaged")).with_hint(
                format!("link the seller again: `mplink authorize --name {name}`"),
            )
        })
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    links: Vec<LinkMeta>,
}

/// Link names are keychain account names and file names: keep them plain.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !name.starts_with(['.', '-']);
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "invalid link name '{name}': use up to 64 letters, digits, '.', '_' or '-'"
        )))
    }
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    dir: ConfigDir,
    kind: StoreKind,
    keychain_timeout: Duration,
    /// Opened on first use: reading a file-store link never touches D-Bus.
    keychain: OnceLock<Result<Arc<Keychain>>>,
}

impl Store {
    pub fn new(dir: std::path::PathBuf, kind: StoreKind, keychain_timeout: Duration) -> Store {
        Store {
            inner: Arc::new(Inner {
                dir: ConfigDir::new(dir),
                kind,
                keychain_timeout,
                keychain: OnceLock::new(),
            }),
        }
    }

    /// Runs blocking store calls off the async runtime.
    pub async fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || op(&store))
            .await
            .map_err(|err| Error::failure(format!("store task failed: {err}")))?
    }

    /// Where new links go.
    pub fn kind(&self) -> StoreKind {
        self.inner.kind
    }

    pub fn dir(&self) -> &ConfigDir {
        &self.inner.dir
    }

    /// Proves that a link could be saved now: the config dir is writable,
    /// the index readable, and the secret store accepts a write.
    pub fn check(&self) -> Result<()> {
        self.dir().check_writable()?;
        self.load_index()?;
        self.secrets(self.kind())?.check()
    }

    fn secrets(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>> {
        match kind {
            StoreKind::File => Ok(Arc::new(FileSecrets::new(self.dir().clone()))),
            StoreKind::Keychain => {
                let opened = self
                    .inner
                    .keychain
                    .get_or_init(|| Keychain::open(self.inner.keychain_timeout).map(Arc::new));
                match opened {
                    Ok(keychain) => Ok(keychain.clone()),
                    Err(err) => Err(err.clone()),
                }
            }
        }
    }

    fn load_index(&self) -> Result<Index> {
        Ok(read_json(&self.dir().file("links.json"))?.unwrap_or_default())
    }

    pub fn links(&self) -> Result<Vec<LinkMeta>> {
        let mut links = self.load_index()?.links;
        links.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(links)
    }

    /// A link by name, or by the seller's user id when that is unambiguous.
    pub fn find(&self, query: &str) -> Result<LinkMeta> {
        let links = self.links()?;
        if let Some(link) = links.iter().find(|l| l.name == query) {
            return Ok(link.clone());
        }
        let by_user: Vec<&LinkMeta> = links
            .iter()
            .filter(|l| query.parse() == Ok(l.user_id))
            .collect();
        match by_user.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(no_such_link(query, &links)),
            many => Err(Error::usage(format!(
                "'{query}' matches several links: {}",
                names(many.iter().copied())
            ))
            .with_hint("name one of them")),
        }
    }

    /// The link to use when none was named: `MPLINK_LINK`, else the only one.
    pub fn pick(&self, named: Option<&str>) -> Result<LinkMeta> {
        if let Some(name) = named {
            return self.find(name);
        }
        let links = self.links()?;
        match links.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::new(Exit::NoLink, "no seller is linked yet")
                .with_hint("link one with `mplink authorize`")),
            many => Err(
                Error::usage(format!("several links, name one: {}", names(many.iter())))
                    .with_hint("pass LINK or set MPLINK_LINK"),
            ),
        }
    }

    pub fn tokens(&self, link: &LinkMeta) -> Result<Tokens> {
        let secret = self.secrets(link.store)?.get(&link.name)?.ok_or_else(|| {
            Error::new(
                Exit::NoLink,
                format!(
                    "link '{}' is listed but its tokens are missing from the {}",
                    link.name,
                    link.store.place()
                ),
            )
            .with_hint(format!(
                "link the seller again with `mplink authorize --name {}`, or forget it with \
                 `mplink logout {}`",
                link.name, link.name
            ))
        })?;
        Tokens::decode(&secret, &link.name)
    }

    /// Saves a link and its tokens, replacing any link of the same name
    /// (then returns true). The tokens are written first; if the index then
    /// cannot be written, the secret store is put back as it was.
    pub fn save(&self, link: &LinkMeta, tokens: &Tokens) -> Result<bool> {
        let _lock = self.dir().lock()?;
        let mut index = self.load_index()?;
        let secrets = self.secrets(link.store)?;
        let previous = secrets.get(&link.name)?;
        secrets.set(&link.name, &tokens.encode())?;

        let replaced = index.links.iter().position(|l| l.name == link.name);
        let old = replaced.map(|at| index.links.remove(at));
        index.links.push(link.clone());
        index.version = 1;
        if let Err(err) = write_json(&self.dir().file("links.json"), &index) {
            let _ = match &previous {
                Some(old_secret) => secrets.set(&link.name, old_secret),
                None => secrets.delete(&link.name).map(drop),
            };
            return Err(err);
        }
        // A link that moved between stores leaves nothing behind.
        if let Some(moved) = old.as_ref().filter(|old| old.store != link.store) {
            let _ = self
                .secrets(moved.store)
                .and_then(|s| s.delete(&moved.name));
        }
        Ok(old.is_some())
    }

    /// Forgets a link: its tokens, then its entry in the index. Returns
    /// whether the tokens were still there.
    pub fn remove(&self, link: &LinkMeta) -> Result<bool> {
        let _lock = self.dir().lock()?;
        let had_tokens = self.secrets(link.store)?.delete(&link.name)?;
        let mut index = self.load_index()?;
        index.links.retain(|l| l.name != link.name);
        write_json(&self.dir().file("links.json"), &index)?;
        Ok(had_tokens)
    }

    pub fn lock_link(&self, name: &str) -> Result<Lock> {
        self.dir().lock_link(name)
    }

    pub fn app(&self) -> Result<Option<SavedApp>> {
        read_json(&self.dir().file("app.json"))
    }

    /// The client secret saved by `mplink app set`, if any.
    /// The client secret `mplink app set` saved for `app`, if any.
    pub fn app_secret(&self, app: &SavedApp) -> Result<Option<Secret>> {
        match app.secret_store {
            Some(kind) => self.secrets(kind)?.get(SECRET_ACCOUNT),
            None => Ok(None),
        }
    }

    /// Saves the settings, and the secret in this store's kind. Without a
    /// new secret, the one saved before stays if it is the same
    /// application's; a secret of another application, or left in another
    /// store, is removed.
    pub fn save_app(&self, app: &SavedApp, secret: Option<&Secret>) -> Result<()> {
        let _lock = self.dir().lock()?;
        let old = self.app()?;
        let old_store = old.as_ref().and_then(|o| o.secret_store);
        let same_app = old.as_ref().is_some_and(|o| o.client_id == app.client_id);
        let mut app = app.clone();
        app.secret_store = match secret {
            Some(secret) => {
                self.secrets(self.kind())?.set(SECRET_ACCOUNT, secret)?;
                Some(self.kind())
            }
            None if same_app => old_store,
            None => None,
        };
        if let Some(kind) = old_store.filter(|kind| Some(*kind) != app.secret_store) {
            self.secrets(kind)?.delete(SECRET_ACCOUNT)?;
        }
        write_json(&self.dir().file("app.json"), &app)
    }

    pub fn forget_app(&self) -> Result<bool> {
        let _lock = self.dir().lock()?;
        let saved = self.app()?;
        let had_secret = match saved.as_ref().and_then(|app| app.secret_store) {
            Some(kind) => self.secrets(kind)?.delete(SECRET_ACCOUNT)?,
            None => false,
        };
        let path = self.dir().file("app.json");
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(had_secret),
            Err(err) => Err(crate::error::io_error("remove", &path, err)),
        }
    }
}

fn names<'a>(links: impl Iterator<Item = &'a LinkMeta>) -> String {
    links
        .map(|l| l.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn no_such_link(query: &str, links: &[LinkMeta]) -> Error {
    let err = Error::new(Exit::NoLink, format!("no link named '{query}'"));
    if links.is_empty() {
        err.with_hint("link a seller with `mplink authorize`")
    } else {
        err.with_hint(format!("known links: {}", names(links.iter())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &std::path::Path) -> Store {
        Store::new(dir.to_path_buf(), StoreKind::File, Duration::from_secs(1))
    }

    fn link(name: &str, user_id: u64) -> LinkMeta {
        let now = Timestamp::now();
        LinkMeta {
            name: name.into(),
            user_id,
            live_mode: true,
            test_token: false,
            scope: None,
            public_key: None,
            client_id: Some("1".into()),
            created_at: now,
            refreshed_at: None,
            expires_at: now.plus(Duration::from_secs(86_400)),
            store: StoreKind::File,
        }
    }

    fn tokens(access: &str) -> Tokens {
        Tokens {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new("TG-refresh")),
        }
    }

    #[test]
    fn save_find_and_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        store.save(&link("shop", 42), &tokens("APP_USR-1")).unwrap();
        store
            .save(&link("shop-test", 42), &tokens("TEST-1"))
            .unwrap();

        assert_eq!(store.find("shop").unwrap().user_id, 42);
        let err = store.find("42").unwrap_err();
        assert_eq!(
            err.exit,
            Exit::Usage,
            "two links of one seller are ambiguous"
        );
        assert_eq!(store.find("nope").unwrap_err().exit, Exit::NoLink);
        assert_eq!(
            store
                .tokens(&link("shop", 42))
                .unwrap()
                .access_token
                .expose(),
            "APP_USR-1"
        );

        assert!(store.remove(&link("shop", 42)).unwrap());
        assert_eq!(store.find("42").unwrap().name, "shop-test");
        assert_eq!(store.pick(None).unwrap().name, "shop-test");
    }

    #[test]
    fn saving_again_replaces_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        store.save(&link("shop", 42), &tokens("APP_USR-1")).unwrap();
        store.save(&link("shop", 42), &tokens("APP_USR-2")).unwrap();
        assert_eq!(store.links().unwrap().len(), 1);
        assert_eq!(
            store
                .tokens(&link("shop", 42))
                .unwrap()
                .access_token
                .expose(),
            "APP_USR-2"
        );
    }

    #[test]
    fn missing_tokens_are_reported_as_no_link() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        store.save(&link("shop", 42), &tokens("APP_USR-1")).unwrap();
        std::fs::remove_file(dir.path().join("credentials.json")).unwrap();
        let err = store.tokens(&link("shop", 42)).unwrap_err();
        assert_eq!(err.exit, Exit::NoLink);
        assert!(err.message.contains("'shop'"), "{}", err.message);
    }

    #[test]
    fn pick_needs_a_name_when_there_are_several() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        assert_eq!(store.pick(None).unwrap_err().exit, Exit::NoLink);
        store.save(&link("a", 1), &tokens("APP_USR-1")).unwrap();
        store.save(&link("b", 2), &tokens("APP_USR-2")).unwrap();
        let err = store.pick(None).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(err.message.contains("a, b"), "{}", err.message);
        assert_eq!(store.pick(Some("2")).unwrap().name, "b");
    }

    #[test]
    fn link_names_stay_plain() {
        assert!(check_name("246813579-test").is_ok());
        assert!(check_name("my.shop_1").is_ok());
        for bad in ["", "../x", "a/b", "app:client_secret", "-x", "a b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
