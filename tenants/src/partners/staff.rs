//! A distributor's staff accounts: its admins add and remove them in the partner console.
//! An admin cannot remove itself, and a distributor always keeps one admin.

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use crate::auth::Role;
use crate::auth::entity::users as entity;
use crate::auth::users::{self, NewUser, User};
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::registry::TenantKind;

fn distributor(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Distributor => Ok(()),
        _ => Err(Error::NotFound("staff")),
    }
}

/// The distributor's accounts, admins first, then by name.
pub async fn list(db: &TenantDb) -> Result<Vec<User>> {
    distributor(db)?;
    let tx = db.begin().await?;
    let rows = tx
        .find::<entity::Entity>()
        .order_by_asc(entity::Column::Role)
        .order_by_asc(entity::Column::Name)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter().map(User::from_model).collect()
}

/// Adds an account (`admin`: a distributor admin, else staff) with the password given; the
/// person logs in at the distributor's own address.
pub async fn add(
    db: &TenantDb,
    email: &str,
    name: &str,
    password: &str,
    admin: bool,
) -> Result<User> {
    distributor(db)?;
    let role = if admin {
        Role::DistributorAdmin
    } else {
        Role::DistributorStaff
    };
    let new = NewUser::parse(email, name, password, role).await?;
    users::create(db, new).await
}

/// Removes the account `id` (its sessions end with it). `acting` is the admin doing it: no one
/// removes their own account here, and the last admin stays.
pub async fn remove(db: &TenantDb, acting: UserId, id: UserId) -> Result<()> {
    distributor(db)?;
    if acting == id {
        return Err(Error::Conflict(
            "you cannot remove your own account; another admin can".into(),
        ));
    }
    let tx = db.begin_write().await?;
    let target = tx
        .find::<entity::Entity>()
        .filter(entity::Column::Id.eq(id.as_uuid()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("account"))?;
    if target.role == Role::DistributorAdmin.as_str() {
        use sea_orm::PaginatorTrait as _;
        let admins = tx
            .find::<entity::Entity>()
            .filter(entity::Column::Role.eq(Role::DistributorAdmin.as_str()))
            .count(tx.conn())
            .await?;
        if admins <= 1 {
            return Err(Error::Conflict(
                "a distributor keeps at least one admin".into(),
            ));
        }
    }
    tx.delete_many::<entity::Entity>()
        .filter(entity::Column::Id.eq(id.as_uuid()))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}
