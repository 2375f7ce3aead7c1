//! A certificate made for one run, so the listener can answer an `https://`
//! loopback Redirect URL. Browsers do not trust it; mplink says so first.

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub struct RunCertificate {
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the certificate, `AB:CD:...`, for the user to compare
    /// with what the browser shows.
    pub fingerprint: String,
}

pub fn make(host: &str) -> Result<RunCertificate> {
    let mut names = vec![host.to_string()];
    for extra in ["localhost", "127.0.0.1", "::1"] {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_string());
        }
    }
    let fail = |what: &str, err: &dyn std::fmt::Display| {
        Error::failure(format!("cannot make the HTTPS certificate: {what}: {err}"))
    };
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| fail("generate", &e))?;
    let der = made.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(der.clone())], key)
        .map_err(|e| fail("TLS setup", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let fingerprint = Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    Ok(RunCertificate {
        config: Arc::new(config),
        fingerprint,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_run_gets_its_own_certificate() {
        let a = super::make("127.0.0.1").unwrap();
        let b = super::make("127.0.0.1").unwrap();
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 32 * 3 - 1);
    }
}
