//! The order tables: all tenant-owned, each order a row in both tenants' rows.

macro_rules! scoped {
    () => {
        impl crate::db::TenantScoped for Entity {
            fn tenant_column() -> Column {
                Column::TenantId
            }
        }
    };
}

pub mod orders {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub counterpart_id: Uuid,
        pub counterpart_name: String,
        pub seq: Option<i64>,
        pub number: String,
        pub state: String,
        pub version: i64,
        pub customer_user_id: Option<Uuid>,
        pub customer_name: String,
        pub customer_email: String,
        pub ship_country: String,
        pub ship_region: Option<String>,
        pub ship_postal: Option<String>,
        pub address: String,
        pub currency: String,
        pub subtotal_minor: i64,
        pub delivery_minor: i64,
        pub total_minor: i64,
        pub approx_total_minor: Option<i64>,
        pub lead_days: i32,
        pub reason: Option<String>,
        pub carrier: Option<String>,
        pub tracking: Option<String>,
        pub referrer: Option<String>,
        pub ack_by: DateTimeUtc,
        pub rerouted_from: Option<Uuid>,
        pub rerouted_to: Option<Uuid>,
        pub idempotency_key: Option<String>,
        pub request_hash: Option<String>,
        pub access_hash: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod lines {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i32,
        pub sku: String,
        pub partner_sku: Option<String>,
        pub name: String,
        pub quantity: i32,
        pub unit_minor: i64,
        pub total_minor: i64,
        pub approx_unit_minor: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub side: String,
        pub order_id: Uuid,
        pub at: DateTimeUtc,
        pub state: String,
        pub actor: String,
        pub note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}
