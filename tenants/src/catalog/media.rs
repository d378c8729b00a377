//! Images (product photos, store logos): checked by their first bytes, never by their name or
//! declared type, stored under a name derived from their content (so a name is immutable and
//! can be cached for a year) behind a [`Storage`] that could point at object storage.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where media bytes live. Names are checked before they reach an implementation.
pub trait Storage: Send + Sync + std::fmt::Debug + 'static {
    fn put<'a>(&'a self, name: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, io::Result<()>>;
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>>;
}

/// A directory on the local disk.
#[derive(Debug)]
pub struct DirStorage {
    dir: PathBuf,
}

impl DirStorage {
    pub fn new(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }
}

impl Storage for DirStorage {
    fn put<'a>(&'a self, name: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(async move {
            let path = self.dir.join(name);
            if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                return Ok(());
            }
            // Write aside and rename, so a reader never sees half a file.
            let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            match tokio::fs::read(self.dir.join(name)).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    pub fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Self> {
        match ext {
            "png" => Some(Self::Png),
            "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }

    /// What the file's first bytes say it is.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// The media service: a storage and the size limit.
#[derive(Clone, Debug)]
pub struct Media {
    storage: Arc<dyn Storage>,
    max_bytes: usize,
}

fn human(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!(
            "{}.{} MB",
            bytes / (1024 * 1024),
            (bytes % (1024 * 1024)) * 10 / (1024 * 1024)
        )
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

impl Media {
    pub fn new(storage: Arc<dyn Storage>, max_bytes: usize) -> Self {
        Self { storage, max_bytes }
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Checks and stores an image; answers its stored name. `declared` is the type the
    /// upload claimed (if any): a file whose bytes say otherwise is refused.
    pub async fn store_image(&self, bytes: &[u8], declared: Option<&str>) -> Result<String> {
        if bytes.is_empty() {
            return Err(Error::validation("image", "choose a file to upload"));
        }
        if bytes.len() > self.max_bytes {
            return Err(Error::validation(
                "image",
                format!(
                    "the file is {}; the limit is {}",
                    human(bytes.len()),
                    human(self.max_bytes)
                ),
            ));
        }
        let kind = ImageKind::sniff(bytes).ok_or_else(|| {
            Error::validation("image", "the file is not a PNG, JPEG or WebP image")
        })?;
        if let Some(d) = declared.map(|d| d.trim().to_ascii_lowercase())
            && !d.is_empty()
            && d != "application/octet-stream"
            && d != kind.mime()
            && !(d == "image/jpg" && kind == ImageKind::Jpeg)
        {
            return Err(Error::validation(
                "image",
                format!(
                    "the file claims to be {d} but its content is {}",
                    kind.mime()
                ),
            ));
        }
        let digest = Sha256::digest(bytes);
        let name = format!("{}.{}", hex::encode(&digest[..16]), kind.ext());
        self.storage
            .put(&name, bytes)
            .await
            .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("media storage: {e}"))))?;
        Ok(name)
    }

    /// Stores a private file (a quote request's attachment) under `name`, which the public
    /// `/media/` route never serves (it is not a bare digest).
    pub(crate) async fn put_private(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.storage
            .put(name, bytes)
            .await
            .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("media storage: {e}"))))
    }

    /// A private file stored by [`put_private`](Self::put_private).
    pub(crate) async fn get_private(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.storage
            .get(name)
            .await
            .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("media storage: {e}"))))
    }

    /// A stored file and its type; `None` for an unknown or malformed name.
    pub async fn read(&self, name: &str) -> Result<Option<(Vec<u8>, ImageKind)>> {
        if !super::master::valid_media_name(name) {
            return Ok(None);
        }
        let Some(kind) = name
            .rsplit_once('.')
            .and_then(|(_, e)| ImageKind::from_ext(e))
        else {
            return Ok(None);
        };
        let bytes = self
            .storage
            .get(name)
            .await
            .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("media storage: {e}"))))?;
        Ok(bytes.map(|b| (b, kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            ImageKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageKind::Png)
        );
        assert_eq!(
            ImageKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(
            ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(ImageKind::sniff(b"GIF89a"), None);
    }

    #[tokio::test]
    async fn refuses_big_and_lying_files() {
        let dir = std::env::temp_dir().join(format!("media-test-{}", std::process::id()));
        let media = Media::new(Arc::new(DirStorage::new(&dir).unwrap()), 64);
        let png = b"\x89PNG\r\n\x1a\nrest-of-a-tiny-png";
        let name = media.store_image(png, Some("image/png")).await.unwrap();
        assert!(name.ends_with(".png"));
        assert_eq!(media.read(&name).await.unwrap().unwrap().0, png.to_vec());
        let e = media
            .store_image(&[0_u8; 65], None)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("limit"), "{e}");
        let e = media
            .store_image(b"<html>hi</html>", Some("image/png"))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a PNG"), "{e}");
        let e = media
            .store_image(&[0xFF, 0xD8, 0xFF, 0xE0], Some("image/png"))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("claims"), "{e}");
        assert!(media.read("../../etc/passwd").await.unwrap().is_none());
        std::fs::remove_dir_all(dir).ok();
    }
}
