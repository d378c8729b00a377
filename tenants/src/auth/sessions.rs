//! Sessions: a row per signed-in browser (the unit of revocation), a short-lived signed access
//! token (JWT, HS256 pinned, `kid` so two keys can be valid during a rotation) and a long-lived
//! opaque refresh token whose hash is kept on the row.
//!
//! A token is only ever checked against the tenant of the request: its audience is the tenant
//! id, so a token minted for tenant A is no token at all on tenant B's host.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entity::{sessions as entity, users};
use super::{Principal, User};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{SessionId, TenantId, UserId};

/// How long an access token is good for; the browser's refresh token renews it.
pub const ACCESS_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a session lasts without a new log-in.
pub const SESSION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY: Duration = Duration::from_secs(30);

const ALGORITHM: Algorithm = Algorithm::HS256;
const MIN_KEY_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    /// The tenant the token is valid on.
    pub aud: String,
    /// The user.
    pub sub: String,
    /// The session the token belongs to: revoking it voids the token at once.
    pub sid: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub jti: String,
}

struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(secret: &[u8]) -> std::result::Result<Self, String> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(format!(
                "a signing key needs at least {MIN_KEY_BYTES} bytes, this one has {}",
                secret.len()
            ));
        }
        let fingerprint = Sha256::digest(secret);
        Ok(Self {
            // Derived from the key, so both ends agree without configuring ids.
            kid: hex::encode(fingerprint.get(..8).unwrap_or_default()),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }
}

/// The keys tokens are signed and checked with: the current key signs, the previous one (during
/// a rotation) is still accepted.
pub struct TokenKeys {
    current: Key,
    previous: Option<Key>,
    issuer: String,
    /// Held prices and guests' order links are signed under a key derived from the same
    /// secrets.
    price: crate::orders::token::PriceKey,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("current", &self.current.kid)
            .field("previous", &self.previous.as_ref().map(|k| &k.kid))
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// Why a token was not accepted. All of them mean "no session"; the kind is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("unknown key id")]
    UnknownKey,
    #[error("token rejected: {0}")]
    Rejected(String),
}

impl TokenKeys {
    /// `current` signs new tokens; `previous`, if any, is still accepted. `issuer` names this
    /// hub (its public URL).
    pub fn new(
        current: &[u8],
        previous: Option<&[u8]>,
        issuer: impl Into<String>,
    ) -> std::result::Result<Self, String> {
        Ok(Self {
            current: Key::new(current)?,
            previous: previous.map(Key::new).transpose()?,
            issuer: issuer.into(),
            price: crate::orders::token::PriceKey::new(current, previous),
        })
    }

    /// The key of held prices and guests' order links.
    pub fn price(&self) -> &crate::orders::token::PriceKey {
        &self.price
    }

    pub fn current_kid(&self) -> &str {
        &self.current.kid
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs `claims` with the current key.
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.current.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.current.encoding)
            .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("token signing failed: {e}"))))
    }

    /// A fresh access token for `user`'s session on `tenant`.
    pub fn mint(&self, tenant: TenantId, user: UserId, session: SessionId) -> Result<String> {
        let now = now_secs();
        self.sign(&Claims {
            iss: self.issuer.clone(),
            aud: tenant.to_string(),
            sub: user.to_string(),
            sid: session.to_string(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL.as_secs(),
            jti: uuid::Uuid::now_v7().simple().to_string(),
        })
    }

    /// Checks signature (HS256 only, key chosen by `kid`), issuer, audience = `tenant`, `exp`
    /// and `nbf` (with [`LEEWAY`]), and that every claim is present.
    pub fn verify(&self, token: &str, tenant: TenantId) -> std::result::Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != ALGORITHM {
            return Err(TokenError::Rejected(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|k| k.kid == kid)
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_audience(&[tenant.to_string()]);
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub", "jti"]);
        jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Rejected(e.to_string()))
    }
}

fn now_secs() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("no system randomness: {e}"))))?;
    Ok(hex::encode(bytes))
}

/// The tokens of a new or renewed session, for the web layer to put into cookies.
#[derive(Clone, Debug)]
pub struct Issued {
    pub access: String,
    /// Only set when a session starts; renewals keep the browser's refresh token.
    pub refresh: Option<String>,
}

/// Starts a session for `user` (who just proved who they are) and returns its tokens.
pub async fn start(db: &TenantDb, keys: &TokenKeys, user: &User) -> Result<Issued> {
    let refresh = random_token()?;
    let id = SessionId::generate();
    let now = Utc::now();
    let tx = db.begin_write().await?;
    tx.insert(entity::ActiveModel {
        tenant_id: Set(db.tenant_id().as_uuid()),
        id: Set(id.as_uuid()),
        user_id: Set(user.id.as_uuid()),
        refresh_hash: Set(refresh_hash(&refresh)),
        created_at: Set(now),
        expires_at: Set(now + chrono_duration(SESSION_TTL)),
        revoked_at: Set(None),
    })
    .await?;
    tx.commit().await?;
    Ok(Issued {
        access: keys.mint(db.tenant_id(), user.id, id)?,
        refresh: Some(refresh),
    })
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A request's session, once checked.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub principal: Principal,
    /// A new access token, when the presented one was missing, expired or close to expiry and
    /// the refresh token renewed it.
    pub renewed: Option<Issued>,
}

/// Turns the tokens a browser presented into a principal of `db`'s tenant, or `None`. An
/// access token is accepted if it verifies for this tenant and its session is live; otherwise a
/// live refresh token renews it. Anything else (another tenant's token, a revoked session, a
/// forged or expired token) is no session.
pub async fn authenticate(
    db: &TenantDb,
    keys: &TokenKeys,
    access: Option<&str>,
    refresh: Option<&str>,
) -> Result<Option<Authenticated>> {
    let tenant = db.tenant_id();
    let claims = access.and_then(|t| match keys.verify(t, tenant) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::debug!(error = %e, "access token not accepted");
            None
        }
    });
    let tx = db.begin().await?;
    let found = match &claims {
        Some(c) => {
            let sid = SessionId::parse(&c.sid);
            let uid = UserId::parse(&c.sub);
            match (sid, uid) {
                (Some(sid), Some(uid)) => live_session(&tx, Some(sid), Some(uid), None).await?,
                _ => None,
            }
        }
        None => None,
    };
    let (session, user, renew) = match found {
        Some((s, u)) => {
            // Renew when less than half the lifetime is left, so an active user never sees a
            // token expire.
            let left = claims
                .as_ref()
                .map_or(0, |c| c.exp.saturating_sub(now_secs()));
            (s, u, left < ACCESS_TTL.as_secs() / 2 && refresh.is_some())
        }
        None => match refresh {
            Some(r) => match live_session(&tx, None, None, Some(&refresh_hash(r))).await? {
                Some((s, u)) => (s, u, true),
                None => {
                    tx.commit().await?;
                    return Ok(None);
                }
            },
            None => {
                tx.commit().await?;
                return Ok(None);
            }
        },
    };
    tx.commit().await?;
    let user = User::from_model(user)?;
    let session_id: SessionId = session.id.into();
    let renewed = if renew {
        Some(Issued {
            access: keys.mint(tenant, user.id, session_id)?,
            refresh: None,
        })
    } else {
        None
    };
    Ok(Some(Authenticated {
        principal: Principal {
            tenant_id: tenant,
            user_id: user.id,
            session_id,
            role: user.role,
            email: user.email,
            name: user.name,
            verified: super::Verified,
        },
        renewed,
    }))
}

/// A session of this tenant that is neither revoked nor expired, with its user.
async fn live_session(
    tx: &TenantTx,
    id: Option<SessionId>,
    user: Option<UserId>,
    refresh_hash: Option<&str>,
) -> Result<Option<(entity::Model, users::Model)>> {
    let mut q = tx
        .find::<entity::Entity>()
        .filter(entity::Column::RevokedAt.is_null())
        .filter(entity::Column::ExpiresAt.gt(Utc::now()));
    if let Some(id) = id {
        q = q.filter(entity::Column::Id.eq(id.as_uuid()));
    }
    if let Some(user) = user {
        q = q.filter(entity::Column::UserId.eq(user.as_uuid()));
    }
    if let Some(h) = refresh_hash {
        q = q.filter(entity::Column::RefreshHash.eq(h));
    }
    if id.is_none() && refresh_hash.is_none() {
        return Ok(None);
    }
    let Some(session) = q.one(tx.conn()).await? else {
        return Ok(None);
    };
    let user = tx
        .find::<users::Entity>()
        .filter(users::Column::Id.eq(session.user_id))
        .one(tx.conn())
        .await?;
    Ok(user.map(|u| (session, u)))
}

/// Ends one session at once: its access and refresh tokens stop working on the next request.
pub async fn revoke(db: &TenantDb, id: SessionId) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.update_many::<entity::Entity>()
        .col_expr(entity::Column::RevokedAt, Some(Utc::now()).into())
        .filter(entity::Column::Id.eq(id.as_uuid()))
        .filter(entity::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of `user` (after a password change).
pub(crate) async fn revoke_all_in(tx: &TenantTx, user: UserId) -> Result<()> {
    tx.update_many::<entity::Entity>()
        .col_expr(entity::Column::RevokedAt, Some(Utc::now()).into())
        .filter(entity::Column::UserId.eq(user.as_uuid()))
        .filter(entity::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Seconds since the epoch, as the tokens count them (for tests that forge tokens).
pub fn unix_now() -> u64 {
    now_secs()
}
