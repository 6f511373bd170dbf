//! Admin commands: catalog import, page tokens, migrations, orders, dead letters.
use anyhow::{bail, Context, Result};
use shared::adapters::sql::SqlStore;
use shared::config::{Config, DatabaseUrl};
use shared::domain::catalog::Catalog;
use shared::domain::ids::PageId;
use shared::domain::inventory;
use shared::domain::reservation::PaidOutcome;
use shared::domain::secret::SecretString;
use shared::pipeline::caches::Caches;
use shared::pipeline::Stage;
use std::io::BufRead;
use std::path::Path;

pub fn config() -> Result<Config> {
    shared::telemetry::init("warn");
    Config::from_env().context("configuration")
}

pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let catalog: Catalog = serde_json::from_slice(&bytes).with_context(|| format!("{} is not a catalog file", path.display()))?;
    inventory::validate(&catalog).with_context(|| format!("{} is not a valid catalog", path.display()))?;
    Ok(catalog)
}

/// The page token from an environment variable or stdin, never from the command line.
fn read_token(token_env: Option<&str>, token_stdin: bool) -> Result<Option<SecretString>> {
    let token = match (token_env, token_stdin) {
        (Some(var), _) => {
            let t = std::env::var(var).with_context(|| format!("--page-token-env {var}: the variable is not set"))?;
            Some(SecretString::new(t.trim()))
        }
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("reading the page token from stdin")?;
            Some(SecretString::new(line.trim()))
        }
        (None, false) => None,
    };
    if token.as_ref().is_some_and(|t| t.expose().is_empty()) {
        bail!("the page token is empty");
    }
    Ok(token)
}

/// Stores the token (sealed), drops the cached one and queues the replies it had paused.
async fn store_token(
    config: &Config,
    backends: &shared::app::Backends,
    caches: &Caches,
    page: &PageId,
    token: &SecretString,
) -> Result<()> {
    if !backends.store.set_page_token(page, token).await? {
        bail!("page {page} has no catalog yet: import one first (`livesell catalog import`)");
    }
    caches.invalidate("token", page.as_str()).await;
    let resumed = backends.store.resume_paused(page).await?;
    let key = config.settings.streams.key(Stage::Respond);
    for id in &resumed {
        backends.stream.append(&key, &serde_json::json!({ "message_id": id }).to_string()).await?;
    }
    println!("page token stored; {} paused replies queued again", resumed.len());
    Ok(())
}

pub async fn import_catalog(page: &str, ig: Option<&str>, token_env: Option<&str>, token_stdin: bool, path: &Path) -> Result<()> {
    let config = config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let ig = ig.map(PageId::parse).transpose().context("--ig-user-id")?;
    let token = read_token(token_env, token_stdin)?;
    let catalog = read_catalog(path)?;
    let backends = shared::app::connect(&config).await?;
    let s = backends.store.import_catalog(&page, ig.as_ref(), &catalog, chrono::Utc::now(), config.settings.ttl_secs()).await?;
    // Cache-aside: running stages must not keep serving the old catalog (or token) for 15 minutes.
    let caches = Caches::new(backends.cache.clone(), config.settings.streams.prefix());
    caches.invalidate("catalog", page.as_str()).await;
    println!(
        "imported catalog v{} for page {page}: {} products, {} units for sale{}",
        s.version,
        s.products,
        s.units,
        ig.map(|i| format!(", instagram account {i}")).unwrap_or_default()
    );
    if !s.hidden.is_empty() {
        println!("hidden from new claims (no longer in the file): {}", s.hidden.join(", "));
    }
    for short in &s.short {
        println!(
            "{}: the file says {} but {} are reserved; kept at {} (see the seller notices)",
            short.sku, short.asked, short.reserved, short.reserved
        );
    }
    if s.promoted > 0 {
        println!("{} waitlisted claims got the new units", s.promoted);
    }
    if let Some(token) = token {
        store_token(&config, &backends, &caches, &page, &token).await?;
    }
    Ok(())
}

/// Replaces a page's Graph API token without touching its catalog.
pub async fn page_token(page: &str, token_env: Option<&str>, token_stdin: bool) -> Result<()> {
    let config = config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let Some(token) = read_token(token_env, token_stdin)? else { bail!("give the token with --page-token-env VAR or --page-token-stdin") };
    let backends = shared::app::connect(&config).await?;
    let caches = Caches::new(backends.cache.clone(), config.settings.streams.prefix());
    store_token(&config, &backends, &caches, &page, &token).await
}

pub async fn migrate() -> Result<()> {
    let config = config()?;
    let sealer = shared::app::sealer(&config)?;
    let store = match &config.database {
        DatabaseUrl::Postgres(url) => SqlStore::connect_postgres(url.expose(), 2).await?.with_sealer(sealer),
        DatabaseUrl::Sqlite(url) => SqlStore::connect_sqlite(url, sealer).await?,
    };
    let applied = store.migrate().await?;
    if applied.is_empty() {
        println!("schema up to date");
    }
    for name in applied {
        println!("applied {name}");
    }
    Ok(())
}

pub async fn order_paid(order_id: i64) -> Result<()> {
    let config = config()?;
    let backends = shared::app::connect(&config).await?;
    match backends.store.mark_paid(order_id, chrono::Utc::now()).await? {
        PaidOutcome::Paid(order) | PaidOutcome::AlreadyPaid(order) => println!("{}", serde_json::to_string_pretty(&order)?),
        PaidOutcome::NothingReserved(_) => {
            bail!("order {order_id} has nothing reserved any more (its reservations expired or were cancelled): not marked paid")
        }
        PaidOutcome::NotFound => bail!("order {order_id} does not exist"),
    }
    Ok(())
}

fn stages(stage: Option<&str>) -> Result<Vec<Stage>> {
    match stage {
        None => Ok(Stage::ALL.to_vec()),
        Some(s) => Ok(vec![Stage::parse(s).with_context(|| format!("unknown stage {s:?}: one of filter, intent, reserve, respond"))?]),
    }
}

pub async fn dead_letters_list(stage: Option<&str>) -> Result<()> {
    let config = config()?;
    let backends = shared::app::connect(&config).await?;
    for stage in stages(stage)? {
        for d in backends.stream.dead_letters(&config.settings.streams.key(stage), 10_000).await? {
            let mut v = serde_json::to_value(&d)?;
            v["stage"] = stage.name().into();
            println!("{v}");
        }
    }
    Ok(())
}

pub async fn dead_letters_retry(stage: &str, id: Option<&str>, all: bool) -> Result<()> {
    let config = config()?;
    let backends = shared::app::connect(&config).await?;
    let stage = stages(Some(stage))?[0];
    let key = config.settings.streams.key(stage);
    let ids: Vec<String> = match (id, all) {
        (Some(id), _) => vec![id.to_string()],
        (None, true) => backends.stream.dead_letters(&key, 10_000).await?.into_iter().map(|d| d.id).collect(),
        (None, false) => bail!("give a dead letter id, or --all"),
    };
    let mut n = 0;
    for id in &ids {
        if backends.stream.retry_dead_letter(&key, id).await? {
            n += 1;
        } else {
            eprintln!("no dead letter {id} on {}", stage.name());
        }
    }
    println!("{n} dead letters of {} queued again", stage.name());
    Ok(())
}
