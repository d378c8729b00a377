//! Carts: a guest's (found by an unguessable id kept in a cookie) or a customer's (one per
//! customer and store). At log-in the guest's cart is merged into the customer's.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};

use super::entity::{cart_items, carts};
use super::money::Money;
use super::snapshot::{ProductView, Storefront};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{CartId, ProductId, TenantId, UserId};

pub const MAX_QUANTITY: u32 = 99;
pub const MAX_LINES: usize = 100;

/// Whose cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    Guest(CartId),
    Customer(UserId),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub product: ProductId,
    pub quantity: u32,
}

/// A cart line at the store's current price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub product: ProductView,
    pub quantity: u32,
    /// Unit price × quantity.
    pub total: Money,
}

/// A cart priced by the store it is at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// One total per currency (a master catalog may price in more than one), in the order
    /// the currencies first appear.
    pub totals: Vec<Money>,
    /// Items over all priced lines.
    pub count: u32,
    /// Lines whose product the store no longer sells: kept in the cart, not priced.
    pub unavailable: usize,
}

/// Prices `lines` with `store`'s prices as they are now. Every sum is checked: a total
/// that would not fit is refused rather than wrapped.
pub fn price(store: &Storefront, lines: &[Line]) -> Result<PricedCart> {
    let too_large = || Error::validation("quantity", "the cart's total is too large");
    let mut out = PricedCart::default();
    for l in lines {
        let Some(product) = store.product(l.product) else {
            out.unavailable += 1;
            continue;
        };
        let total = product
            .price
            .checked_mul(l.quantity)
            .ok_or_else(too_large)?;
        match out.totals.iter_mut().find(|t| t.currency == total.currency) {
            Some(t) => *t = t.checked_add(&total).ok_or_else(too_large)?,
            None => out.totals.push(total),
        }
        out.count = out.count.checked_add(l.quantity).ok_or_else(too_large)?;
        out.lines.push(PricedLine {
            product,
            quantity: l.quantity,
            total,
        });
    }
    Ok(out)
}

/// A new guest cart id: 122 random bits (UUID v4), so it cannot be guessed from another.
pub fn new_guest_id() -> Result<CartId> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("no randomness: {e}"))))?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid().into())
}

async fn find(tx: &TenantTx, owner: Owner) -> Result<Option<carts::Model>> {
    Ok(select(tx, owner).one(tx.conn()).await?)
}

/// The cart, locked until the transaction ends (PostgreSQL: `FOR UPDATE`; SQLite's
/// transactions that write hold the database's write lock from their start), so two requests
/// changing one cart at once queue instead of losing one's change.
async fn find_for_update(tx: &TenantTx, owner: Owner) -> Result<Option<carts::Model>> {
    Ok(select(tx, owner).lock_exclusive().one(tx.conn()).await?)
}

fn select(tx: &TenantTx, owner: Owner) -> sea_orm::Select<carts::Entity> {
    let sel = tx.find::<carts::Entity>();
    match owner {
        Owner::Guest(id) => sel
            .filter(carts::Column::Id.eq(id.as_uuid()))
            .filter(carts::Column::UserId.is_null()),
        Owner::Customer(u) => sel.filter(carts::Column::UserId.eq(u.as_uuid())),
    }
}

async fn find_or_create(tx: &TenantTx, owner: Owner) -> Result<carts::Model> {
    if let Some(c) = find_for_update(tx, owner).await? {
        return Ok(c);
    }
    let now = Utc::now();
    let (id, user) = match owner {
        Owner::Guest(id) => (id.as_uuid(), None),
        Owner::Customer(u) => (CartId::generate().as_uuid(), Some(u.as_uuid())),
    };
    // A request running at the same moment may create the same cart: the second insert
    // does nothing and both go on with the one row.
    tx.upsert_many::<_, carts::Entity>(
        vec![carts::ActiveModel {
            tenant_id: Set(tx.tenant_id().as_uuid()),
            id: Set(id),
            user_id: Set(user),
            created_at: Set(now),
            updated_at: Set(now),
            transferred_order: Set(None),
        }],
        sea_orm::sea_query::OnConflict::new()
            .do_nothing()
            .to_owned(),
    )
    .await?;
    find_for_update(tx, owner)
        .await?
        .ok_or(Error::NotFound("cart"))
}

async fn read_lines(tx: &TenantTx, cart: uuid::Uuid) -> Result<Vec<cart_items::Model>> {
    Ok(tx
        .find::<cart_items::Entity>()
        .filter(cart_items::Column::CartId.eq(cart))
        .order_by_asc(cart_items::Column::AddedAt)
        .all(tx.conn())
        .await?)
}

async fn put(tx: &TenantTx, cart: uuid::Uuid, product: ProductId, quantity: u32) -> Result<()> {
    tx.delete_many::<cart_items::Entity>()
        .filter(cart_items::Column::CartId.eq(cart))
        .filter(cart_items::Column::ProductId.eq(product.as_uuid()))
        .exec(tx.conn())
        .await?;
    if quantity > 0 {
        tx.insert(cart_items::ActiveModel {
            tenant_id: Set(tx.tenant_id().as_uuid()),
            cart_id: Set(cart),
            product_id: Set(product.as_uuid()),
            quantity: Set(quantity as i32),
            added_at: Set(Utc::now()),
        })
        .await?;
    }
    Ok(())
}

fn to_lines(rows: Vec<cart_items::Model>) -> Vec<Line> {
    rows.into_iter()
        .map(|r| line(r.product_id, r.quantity))
        .collect()
}

fn line(product: uuid::Uuid, quantity: i32) -> Line {
    Line {
        product: product.into(),
        quantity: quantity.max(0) as u32,
    }
}

/// For a transfer, in its transaction: the cart (its row locked on PostgreSQL; a SQLite write
/// transaction holds the write lock from its start), the order it was last transferred as,
/// and its lines.
pub(crate) async fn for_transfer(
    tx: &TenantTx,
    owner: Owner,
) -> Result<(Option<(uuid::Uuid, Option<uuid::Uuid>)>, Vec<Line>)> {
    use sea_orm::{EntityTrait as _, JoinType};
    if tx.backend() == crate::db::Backend::Postgres {
        // The cart's row locked first, then its lines in a statement of their own: one that
        // waited for the lock reads the lines as the transaction it waited for left them.
        // (One query joining the lines would give the waiter the locked row as it is now
        // but the lines as they were when that query started, as if still in the cart.)
        let row: Option<(uuid::Uuid, Option<uuid::Uuid>)> = select(tx, owner)
            .select_only()
            .column(carts::Column::Id)
            .column(carts::Column::TransferredOrder)
            .lock_exclusive()
            .into_tuple()
            .one(tx.conn())
            .await?;
        let Some((cart, transferred)) = row else {
            return Ok((None, Vec::new()));
        };
        let lines = to_lines(read_lines(tx, cart).await?);
        return Ok((Some((cart, transferred)), lines));
    }
    // SQLite: the cart and its lines in one read (one row per line; one with no line for an
    // empty cart), one snapshot; in a write transaction the write lock is held already, from
    // its start.
    let sel = select(tx, owner)
        .select_only()
        .column(carts::Column::Id)
        .column(carts::Column::TransferredOrder)
        .column(cart_items::Column::ProductId)
        .column(cart_items::Column::Quantity)
        .join_rev(
            JoinType::LeftJoin,
            cart_items::Entity::belongs_to(carts::Entity)
                .from((cart_items::Column::TenantId, cart_items::Column::CartId))
                .to((carts::Column::TenantId, carts::Column::Id))
                .into(),
        )
        .order_by_asc(cart_items::Column::AddedAt);
    // (cart, the order it was transferred as, a line's product, its quantity)
    type Row = (
        uuid::Uuid,
        Option<uuid::Uuid>,
        Option<uuid::Uuid>,
        Option<i32>,
    );
    let rows: Vec<Row> = sel.into_tuple().all(tx.conn()).await?;
    let Some(&(cart, transferred, _, _)) = rows.first() else {
        return Ok((None, Vec::new()));
    };
    let lines = rows
        .into_iter()
        .filter_map(|(_, _, product, quantity)| Some(line(product?, quantity?)))
        .collect();
    Ok((Some((cart, transferred)), lines))
}

/// `value` while the cart `cart` is still as a transfer read it outside the write turn (the
/// row there, last transferred as `transferred`, holding exactly `lines`), NULL otherwise:
/// written to a NOT NULL column, it fails the write (and the transaction's work with it) if
/// the cart changed since. A product is in a cart once (the key), so `lines.len()` rows in
/// all, each matching one of `lines`, is the same set.
pub(crate) fn value_if_unchanged(
    tenant: TenantId,
    cart: uuid::Uuid,
    transferred: Option<uuid::Uuid>,
    lines: &[Line],
    value: impl Into<sea_orm::Value>,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Condition, Expr, ExprTrait as _, Query, SelectStatement};
    let t = tenant.as_uuid();
    let row = Query::select()
        .expr(Expr::val(1))
        .from(carts::Entity)
        .and_where(carts::Column::TenantId.eq(t))
        .and_where(carts::Column::Id.eq(cart))
        .and_where(match transferred {
            Some(order) => carts::Column::TransferredOrder.eq(order),
            None => carts::Column::TransferredOrder.is_null(),
        })
        .to_owned();
    let count = |only: Condition| -> Expr {
        let sel: SelectStatement = Query::select()
            .expr(Expr::col(cart_items::Column::ProductId).count())
            .from(cart_items::Entity)
            .and_where(cart_items::Column::TenantId.eq(t))
            .and_where(cart_items::Column::CartId.eq(cart))
            .cond_where(only)
            .to_owned();
        Expr::SubQuery(None, Box::new(sel.into()))
    };
    let same = lines.iter().fold(Condition::any(), |any, l| {
        any.add(
            Condition::all()
                .add(cart_items::Column::ProductId.eq(l.product.as_uuid()))
                .add(
                    cart_items::Column::Quantity.eq(i32::try_from(l.quantity).unwrap_or(i32::MAX)),
                ),
        )
    });
    let n = i64::try_from(lines.len()).unwrap_or(i64::MAX);
    let unchanged = Condition::all()
        .add(Expr::exists(row))
        .add(count(Condition::all()).eq(n))
        .add(count(same).eq(n));
    let sel: SelectStatement = Query::select()
        .expr(Expr::val(value))
        .cond_where(unchanged)
        .to_owned();
    Expr::SubQuery(None, Box::new(sel.into()))
}

/// Empties the cart and notes the order it became (written with the transaction's other
/// held-back writes).
pub(crate) fn mark_transferred(
    tx: &TenantTx,
    cart: uuid::Uuid,
    order: uuid::Uuid,
    now: chrono::DateTime<Utc>,
) {
    use sea_orm::EntityTrait as _;
    use sea_orm::sea_query::Expr;
    tx.defer_delete(cart_items::Entity::delete_many().filter(cart_items::Column::CartId.eq(cart)));
    tx.defer_update(
        carts::Entity::update_many()
            .filter(carts::Column::Id.eq(cart))
            .col_expr(carts::Column::TransferredOrder, Expr::value(Some(order)))
            .col_expr(carts::Column::UpdatedAt, Expr::value(now)),
    );
}

/// Forgets the cart's remembered count (after a transfer emptied it).
pub(crate) fn forget_count(db: &TenantDb, owner: Owner) {
    remember(db, owner, &[]);
}

/// The cart's lines, oldest first (empty when there is no cart).
pub async fn lines(db: &TenantDb, owner: Owner) -> Result<Vec<Line>> {
    let tx = db.begin().await?;
    let out = match find(&tx, owner).await? {
        Some(c) => to_lines(read_lines(&tx, c.id).await?),
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(out)
}

/// How long a cart's count is kept in memory. A change made through this process updates it
/// at once; one made through another server process shows within this time.
pub const COUNT_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Carts' item counts, as every page's header shows them: a header is drawn on every page a
/// shopper with a cart sees, and the count is the only thing of theirs on it.
static COUNTS: std::sync::LazyLock<moka::sync::Cache<(TenantId, Owner), u32>> =
    std::sync::LazyLock::new(|| {
        moka::sync::Cache::builder()
            .max_capacity(200_000)
            .time_to_live(COUNT_TTL)
            .build()
    });

fn remember(db: &TenantDb, owner: Owner, lines: &[Line]) {
    COUNTS.insert(
        (db.tenant_id(), owner),
        lines.iter().map(|l| l.quantity).sum(),
    );
}

/// The number of items in the cart (0 when there is none): what every page's header shows.
/// From memory when this process counted or changed the cart within [`COUNT_TTL`], else one
/// query.
pub async fn count(db: &TenantDb, owner: Owner) -> Result<u32> {
    let key = (db.tenant_id(), owner);
    if let Some(n) = COUNTS.get(&key) {
        return Ok(n);
    }
    let n = count_now(db, owner).await?;
    COUNTS.insert(key, n);
    Ok(n)
}

async fn count_now(db: &TenantDb, owner: Owner) -> Result<u32> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Expr, ExprTrait};
    let tx = db.begin().await?;
    let carts = select(&tx, owner)
        .select_only()
        .column(carts::Column::Id)
        .into_query();
    let sum: Option<Option<i64>> = tx
        .find::<cart_items::Entity>()
        .filter(cart_items::Column::CartId.in_subquery(carts))
        .select_only()
        .column_as(Expr::col(cart_items::Column::Quantity).sum(), "n")
        .into_tuple()
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(sum
        .flatten()
        .map_or(0, |n| u32::try_from(Ord::max(n, 0)).unwrap_or(u32::MAX)))
}

/// Adds `quantity` of a product (the caller checked the store sells it).
pub async fn add(
    db: &TenantDb,
    owner: Owner,
    product: ProductId,
    quantity: u32,
) -> Result<Vec<Line>> {
    if quantity == 0 || quantity > MAX_QUANTITY {
        return Err(Error::validation(
            "quantity",
            format!("must be 1 to {MAX_QUANTITY}"),
        ));
    }
    let tx = db.begin_write().await?;
    let cart = find_or_create(&tx, owner).await?;
    let current = read_lines(&tx, cart.id).await?;
    let have = current
        .iter()
        .find(|l| l.product_id == product.as_uuid())
        .map_or(0, |l| l.quantity.max(0) as u32);
    if have == 0 && current.len() >= MAX_LINES {
        return Err(Error::validation(
            "quantity",
            format!("a cart holds at most {MAX_LINES} products"),
        ));
    }
    put(&tx, cart.id, product, (have + quantity).min(MAX_QUANTITY)).await?;
    let out = to_lines(read_lines(&tx, cart.id).await?);
    tx.commit().await?;
    remember(db, owner, &out);
    Ok(out)
}

/// Sets a line's quantity; 0 removes it.
pub async fn set_quantity(
    db: &TenantDb,
    owner: Owner,
    product: ProductId,
    quantity: u32,
) -> Result<Vec<Line>> {
    if quantity > MAX_QUANTITY {
        return Err(Error::validation(
            "quantity",
            format!("must be 0 to {MAX_QUANTITY}"),
        ));
    }
    let tx = db.begin_write().await?;
    let Some(cart) = find_for_update(&tx, owner).await? else {
        return Err(Error::NotFound("cart"));
    };
    put(&tx, cart.id, product, quantity).await?;
    let out = to_lines(read_lines(&tx, cart.id).await?);
    tx.commit().await?;
    remember(db, owner, &out);
    Ok(out)
}

/// Moves a guest cart's lines into the customer's cart (quantities add up, capped), then
/// deletes the guest cart. A guest id that names no guest cart merges nothing.
pub async fn merge(db: &TenantDb, guest: CartId, customer: UserId) -> Result<usize> {
    let tx = db.begin_write().await?;
    let Some(g) = find_for_update(&tx, Owner::Guest(guest)).await? else {
        return Ok(0);
    };
    let moving = read_lines(&tx, g.id).await?;
    let cart = find_or_create(&tx, Owner::Customer(customer)).await?;
    let mut have = read_lines(&tx, cart.id).await?;
    let mut merged = 0;
    for l in moving {
        let current = have
            .iter()
            .find(|h| h.product_id == l.product_id)
            .map_or(0, |h| h.quantity.max(0) as u32);
        if current == 0 && have.len() >= MAX_LINES {
            continue;
        }
        let q = (current + l.quantity.max(0) as u32).min(MAX_QUANTITY);
        put(&tx, cart.id, l.product_id.into(), q).await?;
        have = read_lines(&tx, cart.id).await?;
        merged += 1;
    }
    tx.delete_many::<cart_items::Entity>()
        .filter(cart_items::Column::CartId.eq(g.id))
        .exec(tx.conn())
        .await?;
    tx.delete_many::<carts::Entity>()
        .filter(carts::Column::Id.eq(g.id))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    remember(db, Owner::Guest(guest), &[]);
    remember(db, Owner::Customer(customer), &to_lines(have));
    Ok(merged)
}

#[cfg(test)]
mod pricing_tests {
    use super::*;
    use crate::catalog::money::Currency;
    use crate::catalog::snapshot::{master_for_tests, resolve};
    use crate::catalog::store::StoreSettings;
    use crate::ids::TenantId;

    #[test]
    fn a_cart_is_priced_per_currency_with_checked_sums() {
        let eur = Currency::parse("EUR").expect("EUR");
        let usd = Currency::parse("USD").expect("USD");
        let master = master_for_tests(&[
            ("A", Money::new(1_050, eur)),
            ("B", Money::new(299, eur)),
            ("C", Money::new(5_000, usd)),
        ]);
        let id = |sku: &str| {
            master
                .items
                .iter()
                .find(|m| m.sku == sku)
                .expect("a product")
                .id
        };
        let settings = StoreSettings {
            live: true,
            ..Default::default()
        };
        let store = resolve(TenantId::generate(), master.clone(), settings, true, &[], 1);
        let gone = ProductId::generate();
        let lines = [
            Line {
                product: id("A"),
                quantity: 2,
            },
            Line {
                product: id("C"),
                quantity: 1,
            },
            Line {
                product: id("B"),
                quantity: 3,
            },
            Line {
                product: gone,
                quantity: 5,
            },
        ];
        let priced = price(&store, &lines).expect("priced");
        assert_eq!(
            priced.count, 6,
            "the unavailable line's items are not counted"
        );
        assert_eq!(priced.unavailable, 1);
        assert_eq!(
            priced.totals,
            vec![Money::new(2 * 1_050 + 3 * 299, eur), Money::new(5_000, usd)]
        );
        assert_eq!(priced.lines[0].total, Money::new(2_100, eur));

        let huge = master_for_tests(&[("H", Money::new(i64::MAX / 2, eur))]);
        let store = resolve(
            TenantId::generate(),
            huge.clone(),
            StoreSettings::default(),
            true,
            &[],
            1,
        );
        let h = huge.items[0].id;
        let err = price(
            &store,
            &[Line {
                product: h,
                quantity: 3,
            }],
        )
        .expect_err("overflow refused");
        assert!(
            matches!(
                err,
                Error::Validation {
                    field: "quantity",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[cfg(test)]
mod read_ahead_tests {
    use sea_orm::{ColumnTrait as _, QueryFilter as _};

    use super::*;
    use crate::db::{Database, DbOptions};

    /// Writes `other`'s time of change with [`value_if_unchanged`] for the cart `read`
    /// describes, as a transfer's guard writes its order's.
    async fn guarded_write(
        db: &TenantDb,
        other: uuid::Uuid,
        read: &(uuid::Uuid, Option<uuid::Uuid>, Vec<Line>),
    ) -> Result<()> {
        let tx = db.begin_write().await?;
        let done = tx
            .update_many::<carts::Entity>()
            .filter(carts::Column::Id.eq(other))
            .col_expr(
                carts::Column::UpdatedAt,
                value_if_unchanged(db.tenant_id(), read.0, read.1, &read.2, Utc::now()),
            )
            .exec(tx.conn())
            .await?;
        assert_eq!(done.rows_affected, 1);
        tx.commit().await?;
        Ok(())
    }

    async fn read(db: &TenantDb, owner: Owner) -> (uuid::Uuid, Option<uuid::Uuid>, Vec<Line>) {
        let tx = db.begin().await.expect("tx");
        let (row, lines) = for_transfer(&tx, owner).await.expect("read");
        tx.commit().await.expect("commit");
        let (cart, transferred) = row.expect("a cart");
        (cart, transferred, lines)
    }

    #[tokio::test]
    async fn a_cart_read_ahead_passes_only_while_it_is_exactly_as_read() {
        let path = std::env::temp_dir().join(format!("hub-cart-{}.db", uuid::Uuid::now_v7()));
        let db = Database::open(
            &format!("sqlite://{}?mode=rwc", path.display()),
            &DbOptions::default(),
        )
        .await
        .expect("open");
        db.migrate().await.expect("migrate");
        let hub = crate::registry::ensure_hub(&db, "Hub", "hub")
            .await
            .expect("hub");
        let tdb = crate::access::operator(&db, &hub);
        let a = Owner::Guest(new_guest_id().expect("id"));
        let b = Owner::Guest(new_guest_id().expect("id"));
        let (p, q, r) = (
            ProductId::from(uuid::Uuid::now_v7()),
            ProductId::from(uuid::Uuid::now_v7()),
            ProductId::from(uuid::Uuid::now_v7()),
        );
        add(&tdb, a, p, 2).await.expect("add");
        add(&tdb, a, q, 1).await.expect("add");
        add(&tdb, b, p, 1).await.expect("add");
        let other = read(&tdb, b).await.0;
        let fails = |res: Result<()>, what: &str| match res {
            Err(Error::Db(e)) => assert!(
                e.to_string().contains("NOT NULL"),
                "{what}: failed otherwise: {e}"
            ),
            other => panic!("{what}: {other:?}"),
        };

        let as_read = read(&tdb, a).await;
        guarded_write(&tdb, other, &as_read)
            .await
            .expect("an unchanged cart passes");

        // A quantity changed, and changed back (the same set of lines again passes).
        set_quantity(&tdb, a, q, 3).await.expect("set");
        fails(guarded_write(&tdb, other, &as_read).await, "a quantity");
        set_quantity(&tdb, a, q, 1).await.expect("set");
        guarded_write(&tdb, other, &as_read)
            .await
            .expect("the same lines again pass");

        // A line added, a line removed.
        add(&tdb, a, r, 1).await.expect("add");
        fails(guarded_write(&tdb, other, &as_read).await, "a line added");
        set_quantity(&tdb, a, r, 0).await.expect("remove");
        set_quantity(&tdb, a, q, 0).await.expect("remove");
        fails(guarded_write(&tdb, other, &as_read).await, "a line removed");
        add(&tdb, a, q, 1).await.expect("add");
        guarded_write(&tdb, other, &as_read)
            .await
            .expect("the same lines again pass");

        // Marked transferred as another order meanwhile (its lines left in place, to check
        // that condition on its own).
        let tx = tdb.begin_write().await.expect("tx");
        tx.update_many::<carts::Entity>()
            .filter(carts::Column::Id.eq(as_read.0))
            .col_expr(
                carts::Column::TransferredOrder,
                sea_orm::sea_query::Expr::value(Some(uuid::Uuid::now_v7())),
            )
            .exec(tx.conn())
            .await
            .expect("mark");
        tx.commit().await.expect("commit");
        fails(guarded_write(&tdb, other, &as_read).await, "transferred");

        // The cart's row gone (a guest cart merged at log-in).
        let now_read = read(&tdb, a).await;
        guarded_write(&tdb, other, &now_read)
            .await
            .expect("as read again");
        let tx = tdb.begin_write().await.expect("tx");
        tx.delete_many::<carts::Entity>()
            .filter(carts::Column::Id.eq(as_read.0))
            .exec(tx.conn())
            .await
            .expect("delete");
        tx.commit().await.expect("commit");
        fails(guarded_write(&tdb, other, &now_read).await, "gone");

        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
