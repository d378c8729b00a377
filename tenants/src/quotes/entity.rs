//! The quote-request tables: all tenant-owned. An RFQ and each quote are a row in the buyer's
//! tenant and one in the seller's (`side`), with the same ids.

macro_rules! scoped {
    () => {
        impl crate::db::TenantScoped for Entity {
            fn tenant_column() -> Column {
                Column::TenantId
            }
        }
    };
}

pub mod rfqs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfqs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub buyer_id: Uuid,
        pub buyer_name: String,
        pub seq: Option<i64>,
        pub number: String,
        pub title: String,
        pub state: String,
        pub version: i64,
        pub needed_by: Option<Date>,
        pub ship_country: String,
        pub ship_region: Option<String>,
        pub ship_postal: Option<String>,
        pub address: String,
        pub notes: String,
        pub currency: String,
        pub deadline: Option<DateTimeUtc>,
        pub close_after: Option<i32>,
        pub close_on_targets: bool,
        pub closed_at: Option<DateTimeUtc>,
        pub closed_reason: Option<String>,
        pub accepted_seller: Option<Uuid>,
        pub order_id: Option<Uuid>,
        pub contact_name: String,
        pub contact_email: String,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod rfq_lines {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfq_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i32,
        pub kind: String,
        pub sku: Option<String>,
        pub category: Option<String>,
        pub description: String,
        pub quantity: i32,
        pub target_minor: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod quotes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "quotes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seller_id: Uuid,
        pub seller_name: String,
        pub state: String,
        pub offer_no: i32,
        pub counter_no: i32,
        pub version: i64,
        pub valid_until: Option<DateTimeUtc>,
        pub answered_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod versions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "quote_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seller_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub no: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub author: String,
        pub actor: String,
        pub currency: String,
        pub total_minor: Option<i64>,
        pub valid_until: Option<DateTimeUtc>,
        pub terms: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod quote_lines {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "quote_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seller_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub no: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub author: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i32,
        pub unit_minor: Option<i64>,
        pub quantity: i32,
        pub stock: Option<i32>,
        pub lead_days: Option<i32>,
        pub substitute_sku: Option<String>,
        pub note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod rules {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "auto_quote_rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        pub enabled: bool,
        pub validity_days: i32,
        pub cap_minor: Option<i64>,
        pub currency: String,
        pub version: i64,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod notices {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub text: String,
        pub rfq_id: Option<Uuid>,
        pub at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod activity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfq_activity")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub rfq_id: Uuid,
        pub reseller_id: Uuid,
        pub reseller_name: String,
        pub distributor_id: Option<Uuid>,
        pub distributor_name: Option<String>,
        pub kind: String,
        pub lines: i32,
        pub response_secs: Option<i64>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}

pub mod attachments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfq_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub kind: String,
        pub size: i64,
        pub blob: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
    scoped!();
}
