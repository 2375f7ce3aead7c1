//! The application settings `mplink app set` remembers, so that linking the
//! next seller needs no flags.

use serde::{Deserialize, Serialize};

use super::StoreKind;

/// `app.json` in the config dir. The client secret is not here: it lives in
/// the secret store under [`SECRET_ACCOUNT`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedApp {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce: Option<bool>,
    /// Where the client secret was saved, if it was: later runs may use
    /// another `--store` for their links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<StoreKind>,
}

/// Link names cannot contain `:`, so this account never clashes with one.
pub const SECRET_ACCOUNT: &str = "app:client_secret";
