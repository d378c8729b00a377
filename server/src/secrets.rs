//! The hub's signing secret (sessions are signed with it). A development hub creates one on
//! first start and keeps it under the data directory; a production hub must be given a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError, SecretsSource};

/// At least this many bytes of key material.
const MIN_KEY_BYTES: usize = 32;

#[derive(Clone)]
pub struct Secrets {
    signing_key: Vec<u8>,
    previous_key: Option<Vec<u8>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

impl Secrets {
    pub fn signing_key(&self) -> &[u8] {
        &self.signing_key
    }

    /// The key of the previous rotation, still accepted for verifying sessions.
    pub fn previous_key(&self) -> Option<&[u8]> {
        self.previous_key.as_deref()
    }

    /// Loads the key from where the configuration says; blocking file IO, so called once at
    /// start-up before the server takes requests.
    pub fn load(cfg: &Config) -> Result<Self, ConfigError> {
        let signing_key = match &cfg.secrets {
            SecretsSource::File(path) => read_key(path, "secrets.file")?,
            SecretsSource::DataDir => {
                let path = cfg.data_dir.join("secrets").join("signing.key");
                if path.exists() {
                    read_key(&path, "secrets.source")?
                } else {
                    create_key(&path)?
                }
            }
        };
        let previous_key = cfg
            .previous_key_file
            .as_deref()
            .map(|p| read_key(p, "secrets.previous_file"))
            .transpose()?;
        if previous_key.as_ref() == Some(&signing_key) {
            return Err(ConfigError::new(
                "secrets.previous_file",
                "holds the same key as the current one",
            ));
        }
        Ok(Self {
            signing_key,
            previous_key,
        })
    }
}

fn read_key(path: &Path, key: &str) -> Result<Vec<u8>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(key, format!("cannot read {}: {e}", path.display())))?;
    let bytes = decode_hex(text.trim()).ok_or_else(|| {
        ConfigError::new(
            key,
            format!("{} does not hold a hex-encoded key", path.display()),
        )
    })?;
    if bytes.len() < MIN_KEY_BYTES {
        return Err(ConfigError::new(
            key,
            format!(
                "{} holds {} bytes; at least {MIN_KEY_BYTES} are needed",
                path.display(),
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

fn create_key(path: &PathBuf) -> Result<Vec<u8>, ConfigError> {
    let fail = |e: std::io::Error| {
        ConfigError::new("data.dir", format!("cannot create {}: {e}", path.display()))
    };
    let mut key = vec![0u8; 64];
    getrandom::fill(&mut key)
        .map_err(|e| ConfigError::new("secrets.source", format!("no system randomness: {e}")))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(encode_hex(&key).as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    tracing::info!(path = %path.display(), "created a development signing key");
    Ok(key)
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let key: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_hex(&encode_hex(&key)), Some(key));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
