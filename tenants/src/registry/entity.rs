//! The registry's tables: `tenants` (not tenant-owned: it is what tenants are resolved from),
//! and the tenant-owned `tenant_domains` and `tenant_links`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub name: String,
    pub tagline: Option<String>,
    pub status: String,
    pub version: i64,
    /// Bumped in the same transaction as every change to the tenant's catalog or store.
    pub catalog_version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub mod domains {
    use sea_orm::entity::prelude::*;

    use crate::db::TenantScoped;

    /// A custom domain a tenant's store also answers at. `domain` is unique across the hub.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tenant_domains")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub domain: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl TenantScoped for Entity {
        fn tenant_column() -> Column {
            Column::TenantId
        }
    }
}

pub mod links {
    use sea_orm::entity::prelude::*;

    use crate::db::TenantScoped;

    /// A relationship owned by `tenant_id` (the hub, or a distributor) with a partner tenant.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tenant_links")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub partner_id: Uuid,
        pub relation: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl TenantScoped for Entity {
        fn tenant_column() -> Column {
            Column::TenantId
        }
    }
}
