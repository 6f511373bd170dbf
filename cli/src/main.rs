//! `livesell`: the local runtime (every stage in one process), the replay of a recorded live, and
//! the admin commands. Only the requested output goes to stdout; logs are JSON on stderr.
mod admin;
mod classify;
mod payments;
mod replay;
mod serve;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "livesell", version, about = "Live-selling comments → reserved stock, payment links and private replies")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replays a recorded live (one signed Meta webhook POST body per line) through every stage.
    Replay {
        /// The seller's catalog (../shared/data/catalog.json format).
        #[arg(long)]
        catalog: PathBuf,
        /// Recorded webhook bodies, one JSON object per line.
        webhooks: PathBuf,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// When the seller switched the product on screen: JSON lines {"at": unix seconds, "current_product": "A12" | null}.
        #[arg(long)]
        schedule: Option<PathBuf>,
        /// Gateways for the replayed page, in order (e.g. mercadopago,flow), with throwaway
        /// credentials. The replay stays offline: a gateway whose *_BASE_URL is not set is
        /// reached at a closed local port, so every order falls back to bank transfer.
        #[arg(long, value_delimiter = ',')]
        gateways: Vec<String>,
    },
    /// Serves the webhook, /health and the seller API, with every stage running in-process.
    Serve,
    /// Classifies comments (filter + intent) and prints one JSON line per input line {"id","text"}.
    Classify {
        #[arg(long)]
        catalog: PathBuf,
        comments: PathBuf,
    },
    /// Catalog administration.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Applies the database migrations (PostgreSQL: supabase/migrations; SQLite: the embedded schema).
    Migrate,
    /// Page administration.
    Pages {
        #[command(subcommand)]
        command: PagesCommand,
    },
    /// A page's payment gateways (credentials from the environment, sealed at rest).
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Order administration.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Entries that failed too often, per stage.
    DeadLetters {
        #[command(subcommand)]
        command: DeadLettersCommand,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Imports a page's catalog, or brings it up to date: products and variants are upserted by
    /// code and SKU; reservations, waitlists and sales are kept; a stock number is the units for
    /// sale now (reserved ones included, sold ones excluded).
    Import {
        #[arg(long)]
        page_id: String,
        /// The Instagram professional account linked to the page.
        #[arg(long)]
        ig_user_id: Option<String>,
        /// Read the page's Graph API token from this environment variable.
        #[arg(long, conflicts_with = "page_token_stdin")]
        page_token_env: Option<String>,
        /// Read the page's Graph API token from the first line of stdin.
        #[arg(long)]
        page_token_stdin: bool,
        catalog: PathBuf,
    },
}

#[derive(Subcommand)]
enum PagesCommand {
    /// Replaces the page's Graph API token (e.g. an expired one) without touching its catalog, and
    /// queues again the replies a refused token had paused.
    Token {
        #[arg(long)]
        page_id: String,
        /// Read the token from this environment variable.
        #[arg(long, conflicts_with = "page_token_stdin")]
        page_token_env: Option<String>,
        /// Read the token from the first line of stdin.
        #[arg(long)]
        page_token_stdin: bool,
    },
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Adds or replaces a gateway: flow (FLOW_API_KEY, FLOW_SECRET_KEY, --payer-email), mercadopago
    /// (MERCADOPAGO_ACCESS_TOKEN, MERCADOPAGO_WEBHOOK_SECRET) or paypal (PAYPAL_CLIENT_ID,
    /// PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID). Lower priorities are tried first.
    Set {
        #[arg(long)]
        page_id: String,
        #[arg(long)]
        gateway: String,
        #[arg(long, default_value_t = 10)]
        priority: i32,
        /// Flow only: the address Flow sends receipts to (Meta never gives the buyer's).
        #[arg(long)]
        payer_email: Option<String>,
    },
    /// The page's gateways in the order they are tried (never their credentials).
    List {
        #[arg(long)]
        page_id: String,
    },
    Remove {
        #[arg(long)]
        page_id: String,
        #[arg(long)]
        gateway: String,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Marks an order paid: its reservations become sales and never expire.
    Paid {
        #[arg(value_parser = strict_id)]
        order_id: i64,
    },
}

#[derive(Subcommand)]
enum DeadLettersCommand {
    /// Lists dead letters (JSON lines).
    List {
        /// Only this stage (filter, intent, reserve, respond).
        #[arg(long)]
        stage: Option<String>,
    },
    /// Puts dead letters back on their stream: one by id, or all of a stage with --all.
    Retry {
        #[arg(long)]
        stage: String,
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

/// Ids are decimal digits only: "+1" or " 1" is not order 1.
fn strict_id(raw: &str) -> Result<i64, String> {
    shared::domain::ids::numeric_id(raw).ok_or_else(|| format!("{raw:?} is not an id (decimal digits only)"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Replay { catalog, webhooks, json, schedule, gateways } => {
            replay::run(&catalog, &webhooks, json, schedule.as_deref(), &gateways).await
        }
        Command::Serve => serve::run().await,
        Command::Classify { catalog, comments } => classify::run(&catalog, &comments),
        Command::Catalog { command: CatalogCommand::Import { page_id, ig_user_id, page_token_env, page_token_stdin, catalog } } => {
            admin::import_catalog(&page_id, ig_user_id.as_deref(), page_token_env.as_deref(), page_token_stdin, &catalog).await
        }
        Command::Pages { command: PagesCommand::Token { page_id, page_token_env, page_token_stdin } } => {
            admin::page_token(&page_id, page_token_env.as_deref(), page_token_stdin).await
        }
        Command::Payments { command: PaymentsCommand::Set { page_id, gateway, priority, payer_email } } => {
            payments::set(&page_id, &gateway, priority, payer_email.as_deref()).await
        }
        Command::Payments { command: PaymentsCommand::List { page_id } } => payments::list(&page_id).await,
        Command::Payments { command: PaymentsCommand::Remove { page_id, gateway } } => payments::remove(&page_id, &gateway).await,
        Command::Migrate => admin::migrate().await,
        Command::Orders { command: OrdersCommand::Paid { order_id } } => admin::order_paid(order_id).await,
        Command::DeadLetters { command: DeadLettersCommand::List { stage } } => admin::dead_letters_list(stage.as_deref()).await,
        Command::DeadLetters { command: DeadLettersCommand::Retry { stage, id, all } } => {
            admin::dead_letters_retry(&stage, id.as_deref(), all).await
        }
    }
}
