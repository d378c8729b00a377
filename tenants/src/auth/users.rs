//! User accounts of one tenant: creation, log-in and password change.

use std::net::IpAddr;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};

use super::entity::users as entity;
use super::password::{self, NewPassword, Verified};
use super::sessions;
use super::throttle::{Check, LoginThrottle};
use super::{Principal, Role};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::leads::Email;

/// An account, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl User {
    pub(crate) fn from_model(m: entity::Model) -> Result<Self> {
        let role = Role::parse(&m.role).ok_or_else(|| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "user {} has an unknown role",
                m.id
            )))
        })?;
        Ok(Self {
            id: m.id.into(),
            email: m.email,
            name: m.name,
            role,
        })
    }
}

/// A person's name as shown in the console and greetings: 1 to 100 characters, tidied.
pub fn parse_name(raw: &str) -> Result<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = name.chars().count();
    if len == 0 {
        return Err(Error::validation("name", "enter your name"));
    }
    if len > 100 {
        return Err(Error::validation("name", "must be at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::validation(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name)
}

/// The checked input of a new account.
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

impl NewUser {
    /// Validates every field (all before the costly hash) and hashes the password.
    pub async fn parse(email: &str, name: &str, password: &str, role: Role) -> Result<Self> {
        let email = Email::parse(email)?;
        let name = parse_name(name)?;
        let password = NewPassword::parse(password, "password")?;
        Ok(Self {
            email,
            name,
            role,
            password_hash: password::hash(password).await?,
        })
    }
}

/// Creates an account in the tenant of `db`. The role must fit the tenant's kind.
pub async fn create(db: &TenantDb, new: NewUser) -> Result<User> {
    let tx = db.begin_write().await?;
    let user = insert(&tx, db, new).await?;
    tx.commit().await?;
    Ok(user)
}

pub(crate) async fn insert(tx: &TenantTx, db: &TenantDb, new: NewUser) -> Result<User> {
    if !new.role.fits(db.tenant().kind()) {
        return Err(Error::validation(
            "role",
            format!(
                "a {} account cannot be created in a {} tenant",
                new.role.as_str(),
                db.tenant().kind().as_str()
            ),
        ));
    }
    let now = Utc::now();
    let m = tx
        .insert(entity::ActiveModel {
            tenant_id: Set(db.tenant_id().as_uuid()),
            id: Set(UserId::generate().as_uuid()),
            email: Set(new.email.as_str().to_owned()),
            name: Set(new.name),
            role: Set(new.role.as_str().to_owned()),
            password_hash: Set(new.password_hash),
            created_at: Set(now),
            password_changed_at: Set(now),
        })
        .await
        .map_err(|e| Error::on_unique_violation(e, "an account with this e-mail already exists"))?;
    User::from_model(m)
}

/// Why a log-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown e-mail or wrong password: deliberately the same answer.
    #[error("the e-mail address or password is not right")]
    Invalid,
    #[error("too many failed attempts; try again in {} s", retry_after.as_secs())]
    Throttled { retry_after: Duration },
    #[error(transparent)]
    Other(#[from] Error),
}

/// Checks an e-mail and password against the tenant's accounts, under the throttle: a few
/// failures are free, then each costs an increasing delay, then the account (or the client
/// address) is refused for a while. A weaker stored hash is upgraded on success.
pub async fn log_in(
    db: &TenantDb,
    throttle: &LoginThrottle,
    client: IpAddr,
    email: &str,
    password: &str,
) -> Result<User, LoginError> {
    // A malformed address cannot match an account; it still pays for a hash below.
    let email = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let tenant = db.tenant_id();
    match throttle.check(tenant, &email, client) {
        Check::Refuse { retry_after } => return Err(LoginError::Throttled { retry_after }),
        Check::Delay(d) if !d.is_zero() => tokio::time::sleep(d).await,
        Check::Delay(_) => {}
    }
    let tx = db.begin().await.map_err(Error::from)?;
    let row = tx
        .find::<entity::Entity>()
        .filter(entity::Column::Email.eq(email.as_str()))
        .one(tx.conn())
        .await
        .map_err(Error::from)?;
    tx.commit().await.map_err(Error::from)?;
    let stored = row.as_ref().map(|m| m.password_hash.clone());
    match password::verify(password.to_owned(), stored).await {
        Verified::No => {
            throttle.record_failure(tenant, &email, client);
            Err(LoginError::Invalid)
        }
        Verified::Yes { needs_rehash } => {
            throttle.record_success(tenant, &email);
            let Some(m) = row else {
                return Err(LoginError::Invalid);
            };
            if needs_rehash {
                rehash(db, m.id.into(), password).await;
            }
            Ok(User::from_model(m)?)
        }
    }
}

/// Stores a hash with today's costs. A failure only means the upgrade waits for next time.
async fn rehash(db: &TenantDb, id: UserId, password: &str) {
    // The password was accepted before the rules changed; it is rehashed as it is.
    let Ok(new_hash) = password::hash(NewPassword::unchecked(password)).await else {
        return;
    };
    let result = async {
        let tx = db.begin_write().await?;
        tx.update_many::<entity::Entity>()
            .col_expr(entity::Column::PasswordHash, new_hash.into())
            .filter(entity::Column::Id.eq(id.as_uuid()))
            .exec(tx.conn())
            .await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => tracing::info!(user = %id, "password hash upgraded to current costs"),
        Err(e) => tracing::warn!(user = %id, error = %e, "password rehash failed"),
    }
}

/// Changes the signed-in user's password after checking the current one, then revokes every
/// session of the user (including this one: the caller starts a fresh one for the returned
/// user). Wrong current passwords count against the account like failed log-ins (a stolen
/// session must not become a free password oracle): the same delays, the same lock-out.
pub async fn change_password(
    db: &TenantDb,
    throttle: &LoginThrottle,
    client: IpAddr,
    principal: &Principal,
    current: &str,
    new: &str,
) -> Result<User> {
    let new = NewPassword::parse(new, "new_password")?;
    if current == new.as_str() {
        return Err(Error::validation(
            "new_password",
            "must differ from the current password",
        ));
    }
    let tx = db.begin_write().await?;
    let row = tx
        .find::<entity::Entity>()
        .filter(entity::Column::Id.eq(principal.user_id.as_uuid()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("user"))?;
    tx.commit().await?;
    let tenant = db.tenant_id();
    match throttle.check(tenant, &row.email, client) {
        Check::Refuse { retry_after } => return Err(Error::Throttled { retry_after }),
        Check::Delay(d) if !d.is_zero() => tokio::time::sleep(d).await,
        Check::Delay(_) => {}
    }
    if password::verify(current.to_owned(), Some(row.password_hash.clone())).await == Verified::No {
        throttle.record_failure(tenant, &row.email, client);
        return Err(Error::validation(
            "current_password",
            "is not your current password",
        ));
    }
    throttle.record_success(tenant, &row.email);
    let hash = password::hash(new).await?;
    let tx = db.begin_write().await?;
    let mut model: entity::ActiveModel = row.into();
    model.password_hash = Set(hash);
    model.password_changed_at = Set(Utc::now());
    // The model came from this tenant's rows; update by its full key.
    let updated = model.update(tx.conn()).await?;
    sessions::revoke_all_in(&tx, principal.user_id).await?;
    tx.commit().await?;
    User::from_model(updated)
}
