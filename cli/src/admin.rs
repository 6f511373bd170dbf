//! Admin commands: catalog import, migrations, orders, dead letters.
use anyhow::{bail, Context, Result};
use shared::adapters::postgres::PostgresStore;
use shared::adapters::sqlite::SqliteStore;
use shared::config::{Config, DatabaseUrl};
use shared::domain::catalog::Catalog;
use shared::domain::ids::PageId;
use shared::domain::inventory;
use shared::domain::secret::SecretString;
use shared::stages::Stage;
use std::io::BufRead;
use std::path::Path;

fn config() -> Result<Config> {
    shared::telemetry::init("warn");
    Config::from_env().context("configuration")
}

pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let catalog: Catalog = serde_json::from_slice(&bytes).with_context(|| format!("{} is not a catalog file", path.display()))?;
    inventory::validate(&catalog).with_context(|| format!("{} is not a valid catalog", path.display()))?;
    Ok(catalog)
}

pub async fn import_catalog(page: &str, ig: Option<&str>, token_env: Option<&str>, token_stdin: bool, path: &Path) -> Result<()> {
    let config = config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let ig = ig.map(PageId::parse).transpose().context("--ig-user-id")?;
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
    let catalog = read_catalog(path)?;
    let backends = shared::app::connect(&config).await?;
    let version = backends.store.import_catalog(&page, ig.as_ref(), &catalog, chrono::Utc::now()).await?;
    // Cache-aside: running stages must not keep serving the old catalog (or token) for 15 minutes.
    let caches = shared::stages::caches::Caches::new(backends.cache.clone(), config.settings.streams.prefix());
    caches.invalidate("catalog", page.as_str()).await;
    let units: i64 = inventory::validate(&catalog)?.iter().map(|i| i.on_hand).sum();
    println!(
        "imported catalog v{version} for page {page}: {} products, {} units{}",
        catalog.products.len(),
        units,
        ig.map(|i| format!(", instagram account {i}")).unwrap_or_default()
    );
    if let Some(token) = token {
        backends.store.set_page_token(&page, &token).await?;
        caches.invalidate("token", page.as_str()).await;
        let resumed = backends.store.resume_paused(&page).await?;
        let key = config.settings.streams.key(Stage::Respond);
        for id in &resumed {
            backends.stream.append(&key, &serde_json::json!({ "message_id": id }).to_string()).await?;
        }
        println!("page token stored; {} paused replies queued again", resumed.len());
    }
    Ok(())
}

pub async fn migrate() -> Result<()> {
    let config = config()?;
    let applied = match &config.database {
        DatabaseUrl::Postgres(url) => PostgresStore::connect(url.expose(), 2).await?.migrate().await?,
        DatabaseUrl::Sqlite(url) => SqliteStore::connect(url).await?.migrate().await?,
    };
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
        Some(order) => println!("{}", serde_json::to_string_pretty(&order)?),
        None => bail!("order {order_id} does not exist"),
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
