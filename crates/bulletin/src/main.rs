//! `bulletin`: the command line, the web server and the background fetcher.
//! Thin: every stage's work lives in its own crate.

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "bulletin needs a database: build with the `sqlite` or `postgres` feature (or both)"
);

/// `println!` for command output: when the reader of stdout has gone (as
/// in `bulletin fetch --all | head`), the command stops quietly instead of
/// panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            $crate::stdout_failed(e);
        }
    }};
}

mod auth;
mod batch;
mod commands;
mod demo;
mod transfer;
mod users;
mod web;

use anyhow::{Context, Result};
use bulletin_fetch::{FetchConfig, Fetcher};
use bulletin_pipeline::{DEFAULT_LEASE_SECONDS, Pipeline, retention};
use bulletin_store::Store;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

/// What `--help` says about exit codes.
const EXIT_STATUS: &str = "Exit status:\n  0  everything went well\n  1  some of the work failed (such as sources that could not be fetched; \
the summary lists them) or an error stopped the command\n  2  the command line was wrong (an unknown option, a missing or invalid value)";

/// A mistake on the command line found after parsing it: exit status 2,
/// like the ones clap finds.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

/// Bulletin: a self-hosted news feed engine.
///
/// Collects news from RSS, Atom and JSON Feed sources, extracts each story
/// into a clean article, and serves one fast feed as a web page, a JSON API
/// and outgoing feeds.
#[derive(Parser, Debug)]
#[command(
    name = "bulletin",
    version,
    about,
    long_about,
    after_help = EXIT_STATUS
)]
struct Cli {
    /// Folder for Bulletin's data (the SQLite database lives here).
    #[arg(
        long,
        global = true,
        env = "BULLETIN_DATA",
        default_value = "./bulletin-data"
    )]
    data: PathBuf,

    /// Database URL: postgres://USER@HOST:PORT/DATABASE for PostgreSQL
    /// (several bulletin processes can share it), or sqlite:PATH. Default:
    /// SQLite inside the data folder.
    #[arg(long, global = true, env = "BULLETIN_DATABASE_URL")]
    database: Option<String>,

    /// Allow fetching from loopback, private and other non-public addresses
    /// (for tests and intranets). Off by default.
    #[arg(long, global = true, env = "BULLETIN_ALLOW_PRIVATE_NETWORKS", action = clap::ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    allow_private_networks: bool,

    /// Print more about what is happening (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web page, the JSON API and the outgoing feeds, and fetch
    /// sources in the background.
    Serve(ServeArgs),
    /// Manage sources (feeds).
    #[command(subcommand)]
    Source(SourceCommand),
    /// Manage accounts: admins, editors (who write posts) and readers.
    #[command(subcommand)]
    User(UserCommand),
    /// Fetch due sources once (all of them with --all), print a summary,
    /// then exit: with status 0 when every source was read, 1 when some
    /// failed (each is listed with the reason).
    Fetch {
        /// Fetch every source, due or not.
        #[arg(long)]
        all: bool,
        /// Sources fetched at the same time.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Extract the article from an HTML file (or - for standard input) and
    /// print it as JSON; with --batch, every page under a folder, one JSON
    /// line each.
    #[command(
        override_usage = "bulletin extract [--url URL] FILE\n       bulletin extract --batch DIR [--jobs N]",
        after_help = "FILE is the HTML file to read, or - for standard input; it is required unless --batch is given."
    )]
    Extract {
        /// The page's URL, to resolve relative links.
        #[arg(long, conflicts_with = "batch")]
        url: Option<String>,
        /// Extract every .html, .htm and .html.gz file under this folder and
        /// print one JSON object a line, each with "file" (the path relative
        /// to the folder).
        #[arg(long, value_name = "DIR")]
        batch: Option<PathBuf>,
        /// Pages extracted at the same time with --batch.
        #[arg(long, default_value_t = 1, requires = "batch")]
        jobs: usize,
        /// The HTML file, or - for standard input (shown in the usage and
        /// below: clap would list it as optional, since --batch replaces it).
        #[arg(
            required_unless_present = "batch",
            conflicts_with = "batch",
            hide = true
        )]
        file: Option<PathBuf>,
    },
    /// Import or export the subscription list as OPML.
    #[command(subcommand)]
    Opml(OpmlCommand),
    /// Write the whole database (sources, items with their content) as JSON
    /// lines, to move it to another database with `bulletin import`.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Read a file written by `bulletin export` (or - for standard input)
    /// into this database. Sources already subscribed and items already
    /// stored are skipped, so it can be run again.
    Import {
        /// The export file, or - for standard input.
        file: PathBuf,
    },
    /// Remove items published more than DAYS days ago that nobody starred,
    /// in small batches so readers are not held up.
    Prune {
        /// Keep items younger than this.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
        older_than_days: u32,
    },
    /// Stories: coverage of one event from many sources, filed as items
    /// arrive (by `serve` and `fetch`).
    #[command(subcommand)]
    Stories(StoriesCommand),
    /// Create or update the database's tables, then exit (every command
    /// does this when it opens the database; this does only that).
    Migrate,
    /// Print how many sources and items are stored, and how many items
    /// are in the search index, as JSON.
    Stats,
    /// Index every stored item's words for search again (after rows were
    /// written to the database by hand), then exit.
    Reindex,
    /// Find the attributed claims ("who said what") in a plain-text article
    /// (or - for standard input) and print them as JSON: `{"attributions":
    /// [...]}`, each with `source`, `cue` and `content` as `{"start", "end",
    /// "text"}` (character offsets into the text as read), `direct`,
    /// `speaker` (the name the source resolves to) and `role`, `channel`
    /// (where it was said, or null), `date` (the day it was said, or null)
    /// and `period` (`{"from", "to", "text"}` for any time the text gives,
    /// such as "last week"). Dates are resolved only with --published.
    /// With --batch DIR: one JSON line per `.txt` file, with its `file`
    /// name.
    Attributions {
        /// The article's publication date (YYYY-MM-DD), against which the
        /// dates of claims are resolved.
        #[arg(long, value_name = "YYYY-MM-DD")]
        published: Option<String>,
        /// Every `.txt` file in this folder instead of one file.
        #[arg(long, value_name = "DIR", conflicts_with = "file")]
        batch: Option<PathBuf>,
        /// The article, or - for standard input.
        #[arg(required_unless_present = "batch")]
        file: Option<PathBuf>,
    },
    /// Parse a feed file (or - for standard input) and print it as JSON.
    ParseFeed {
        /// The feed's URL, to resolve relative links.
        #[arg(long)]
        url: Option<String>,
        /// The feed file, or - for standard input.
        file: PathBuf,
    },
}

/// How `bulletin serve` runs.
#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Load a small offline sample (feeds and articles shipped with
    /// Bulletin) so the feed is populated without internet access.
    #[arg(long)]
    demo: bool,
    /// With --demo: seconds between the demo desk's short updates (0: none).
    #[arg(long, default_value_t = 60, value_name = "SECONDS", requires = "demo")]
    demo_every: u64,
    /// What this process does: `web` serves pages, API and feeds without
    /// fetching; `worker` fetches without serving; `all` does both.
    /// Several web and worker processes can share one PostgreSQL
    /// database: workers split the due sources between them.
    #[arg(long, value_enum, default_value = "all")]
    role: web::ProcessRole,
    /// Minutes between fetch passes over due sources (fractions allowed).
    #[arg(long, default_value_t = 1.0)]
    poll_minutes: f64,
    /// Seconds a worker holds the sources it claimed; a crashed worker's
    /// sources are taken over by others after this.
    #[arg(long, default_value_t = DEFAULT_LEASE_SECONDS, value_parser = clap::value_parser!(i64).range(1..))]
    lease_seconds: i64,
    /// Do not fetch in the background.
    #[arg(long)]
    no_fetch: bool,
    /// Remove items published more than this many days ago that nobody
    /// starred, a batch at a time (workers do it after each pass).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    retention_days: Option<u32>,
    /// The address readers and WebSub hubs reach this server at, such as
    /// https://news.example.org/. With it, sources whose feeds name a
    /// WebSub hub get their updates pushed (and are still polled now
    /// and then); without it, every source is polled.
    #[arg(long, env = "BULLETIN_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// A WebSub hub for Bulletin's own feeds: they name it, and it is told
    /// when they change. Without it Bulletin is their hub (at
    /// /websub/hub), pushing new content to subscribers itself.
    #[arg(long, env = "BULLETIN_WEBSUB_HUB", value_name = "URL")]
    websub_hub: Option<String>,
    /// Seconds a client has to send a request's headers (on a new
    /// connection, and between requests on a kept-alive one) before the
    /// connection is closed.
    #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Connections one client address may hold open at once.
    #[arg(long, default_value_t = 64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections_per_address: u64,
    /// The address of a reverse proxy in front of Bulletin (repeat for
    /// several): requests from it are taken to come from the address
    /// its X-Forwarded-For header names, for sign-in throttling. Without
    /// it, the header is ignored.
    #[arg(
        long,
        value_name = "IP",
        env = "BULLETIN_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Let readers, not only admins, add new sources to the installation
    /// from their reader apps (Miniflux, Google Reader and Fever APIs).
    /// Every reader follows every source, so a source one adds is in
    /// everyone's feed.
    #[arg(long, env = "BULLETIN_READERS_ADD_SOURCES")]
    readers_add_sources: bool,
}

#[derive(Subcommand, Debug)]
enum StoriesCommand {
    /// Forget every story and near-duplicate mark, then file every stored
    /// item again in publication order, exactly as live filing would have
    /// (after changing how stories are made, or to repair them). Stop
    /// running workers first: one process files at a time.
    Rebuild,
}

#[derive(Subcommand, Debug)]
enum OpmlCommand {
    /// Subscribe to every feed of an OPML file (or - for standard input).
    /// Nested outlines become categories ("News / World"); feeds already
    /// subscribed are skipped. The new sources are fetched by the next
    /// `bulletin fetch` or by `bulletin serve`.
    Import {
        /// The OPML file, or - for standard input.
        file: PathBuf,
    },
    /// Print every source as an OPML 2.0 document, grouped by category.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. The password is asked for on a terminal (twice),
    /// or read from the first line of standard input when it is piped.
    Add {
        /// The sign-in name.
        name: String,
        /// What the account may do: admin (sources, users), editor (posts),
        /// reader.
        #[arg(long, value_parser = ["admin", "chief_editor", "editor", "reader"], default_value = "reader")]
        role: String,
        /// The name shown on bylines (default: the sign-in name).
        #[arg(long)]
        display_name: Option<String>,
        /// The role shown on the author card, such as "Senior News Editor".
        #[arg(long)]
        title: Option<String>,
        /// A short biography for the author card.
        #[arg(long)]
        bio: Option<String>,
        /// The address of the author's picture.
        #[arg(long)]
        avatar_url: Option<String>,
    },
    /// List accounts.
    List,
    /// Set an account's password (asked for, or read from a pipe); its
    /// sessions end (signed-in browsers must sign in again).
    Password {
        /// The account's sign-in name.
        name: String,
        /// Also revoke every API token of the account (when the old
        /// password may have leaked with them).
        #[arg(long)]
        revoke_tokens: bool,
    },
    /// Set the app password an account's reader apps sign in with (asked
    /// for twice on a terminal, or read from a pipe): Miniflux apps use it
    /// with the account name, Google Reader apps as `Passwd` at
    /// ClientLogin, and Fever apps as their API key (md5 of
    /// `NAME:APP_PASSWORD`). It never signs in to the web page.
    AppPassword {
        /// The account's sign-in name.
        name: String,
        /// Remove the app password instead (reader apps stop working).
        #[arg(long)]
        clear: bool,
    },
    /// Switch an account off: it cannot sign in, its sessions end and its
    /// API tokens stop working (until `user enable`).
    Disable {
        /// The account's sign-in name.
        name: String,
    },
    /// Switch a disabled account on again (its API tokens work again).
    Enable {
        /// The account's sign-in name.
        name: String,
    },
    /// Remove an account with its sessions, API tokens and stars. An
    /// account that wrote posts cannot be removed (their bylines need it):
    /// disable it instead.
    Remove {
        /// The account's sign-in name.
        name: String,
    },
    /// Change what an account may do.
    Role {
        /// The account's sign-in name.
        name: String,
        /// admin (sources, users), chief_editor (edits every post),
        /// editor (writes and edits own posts), reader.
        #[arg(value_parser = ["admin", "chief_editor", "editor", "reader"])]
        role: String,
    },
    /// List an account's API tokens (label, when made, when last used);
    /// never the secrets.
    Tokens {
        /// The account's sign-in name.
        name: String,
    },
    /// Revoke one API token of an account (by the id `user tokens` shows),
    /// or all of them with --all.
    Revoke {
        /// The account's sign-in name.
        name: String,
        /// The token's id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        /// Revoke every token of the account.
        #[arg(long)]
        all: bool,
    },
    /// Create an API token for an account and print it (once: only its hash
    /// is kept). Send it as `Authorization: Bearer TOKEN`.
    Token {
        /// The account's sign-in name.
        name: String,
        /// What the token is for, to recognize it later.
        #[arg(long, default_value = "api")]
        label: String,
    },
}

#[derive(Subcommand, Debug)]
enum SourceCommand {
    /// Subscribe to a feed URL, or to the feed a web page advertises. Prints
    /// the new source's id.
    Add {
        /// Feed or web page URL(s).
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// List sources with their health.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source and its items.
    Remove {
        /// The source id (see `bulletin source list`).
        id: i64,
    },
}

fn main() {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        // Output written through a writer (JSON, tables) meets a closed
        // pipe as an error: quiet, as with `out!`.
        let closed_pipe = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                || c.downcast_ref::<serde_json::Error>()
                    .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
        });
        if closed_pipe {
            std::process::exit(0);
        }
        eprintln!("error: {e:#}");
        let usage = e.downcast_ref::<UsageError>().is_some();
        std::process::exit(if usage { 2 } else { 1 });
    }
}

/// Stdout could not be written: a closed pipe ends the command as the
/// shell expects (quietly, like any other tool); anything else is an error.
fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(1);
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// The database the command line names: SQLite in the data folder unless
/// `--database` says otherwise.
async fn open_store(cli: &Cli) -> Result<Arc<dyn Store>> {
    match cli.database.as_deref() {
        None => open_sqlite(&cli.data.join("bulletin.sqlite"))
            .with_context(|| format!("cannot open the data folder {}", cli.data.display())),
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            open_sqlite(std::path::Path::new(path)).with_context(|| format!("cannot open {url}"))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            open_postgres(url).await.context(
                "cannot use the PostgreSQL database; check that the server runs and the URL \
                 (postgres://USER@HOST:PORT/DATABASE) is right",
            )
        }
        Some(url) => anyhow::bail!(
            "unknown database URL '{url}': use postgres://USER@HOST/DATABASE, sqlite:PATH, or leave it unset for SQLite in the data folder"
        ),
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &std::path::Path) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(bulletin_store_sqlite::SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_: &std::path::Path) -> Result<Arc<dyn Store>> {
    anyhow::bail!("this bulletin was built without SQLite; give --database postgres://…")
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(
        bulletin_store_postgres::PgStore::connect(url).await?,
    ))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_: &str) -> Result<Arc<dyn Store>> {
    anyhow::bail!("this bulletin was built without PostgreSQL (`--features postgres` adds it)")
}

/// The store and the one HTTP client every command works with.
async fn open_app(cli: &Cli) -> Result<Pipeline> {
    let store = open_store(cli).await?;
    let fetcher = Fetcher::new(FetchConfig {
        allow_private_networks: cli.allow_private_networks,
        ..FetchConfig::default()
    })?;
    // The demo site never resolves: its documents are always served from
    // the binary, so a data folder filled by `serve --demo` keeps working.
    Ok(Pipeline::new(store, fetcher)
        .with_documents(Arc::new(demo::DemoSite::as_of(chrono::Utc::now()))))
}

/// `--public-url`: an absolute http(s) URL, kept with a trailing slash.
fn parse_public_url(raw: &str) -> Result<url::Url> {
    let mut url = url::Url::parse(raw).map_err(|_| {
        UsageError(format!("--public-url '{raw}' is not a URL; give the full address, such as https://news.example.org/"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(UsageError(format!(
            "--public-url '{raw}' must be an http or https address with a host"
        ))
        .into());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Extract {
            batch: Some(dir),
            jobs,
            ..
        } => batch::run(dir, *jobs),
        Command::Extract { url, file, .. } => match file {
            Some(file) => commands::extract(file, url.as_deref()),
            None => Err(UsageError("give a file to extract, or --batch DIR".into()).into()),
        },
        Command::ParseFeed { url, file } => commands::parse_feed(file, url.as_deref()),
        Command::Attributions {
            published,
            batch,
            file,
        } => commands::attributions(file.as_deref(), batch.as_deref(), published.as_deref()),
        Command::Source(cmd) => {
            let app = open_app(&cli).await?;
            match cmd {
                SourceCommand::Add { urls } => commands::source_add(&app, urls).await,
                SourceCommand::List { json } => commands::source_list(&app, *json).await,
                SourceCommand::Remove { id } => commands::source_remove(&app, *id).await,
            }
        }
        Command::User(cmd) => user(&open_app(&cli).await?, cmd).await,
        Command::Opml(cmd) => {
            let app = open_app(&cli).await?;
            match cmd {
                OpmlCommand::Import { file } => commands::opml_import(&app, file).await,
                OpmlCommand::Export { output } => {
                    commands::opml_export(&app, output.as_deref()).await
                }
            }
        }
        Command::Export { output } => {
            let app = open_app(&cli).await?;
            transfer::export(&app, output.as_deref()).await
        }
        Command::Import { file } => {
            let app = open_app(&cli).await?;
            transfer::import(&app, file).await
        }
        Command::Prune { older_than_days } => {
            let app = open_app(&cli).await?;
            let before = chrono::Utc::now() - chrono::Duration::days(i64::from(*older_than_days));
            let removed = retention::prune(app.store.as_ref(), before).await?;
            eprintln!(
                "removed {removed} items published before {} that nobody starred",
                before.format("%Y-%m-%d %H:%M UTC")
            );
            Ok(())
        }
        Command::Stories(StoriesCommand::Rebuild) => {
            let app = open_app(&cli).await?;
            commands::stories_rebuild(&app).await
        }
        Command::Migrate => {
            // Opening the store applies what is missing.
            open_store(&cli).await?;
            eprintln!("the database is up to date");
            Ok(())
        }
        Command::Reindex => {
            let store = open_store(&cli).await?;
            let indexed = store
                .rebuild_search_index()
                .await
                .context("rebuilding the search index")?;
            eprintln!("indexed {indexed} items for search");
            Ok(())
        }
        Command::Stats => {
            let app = open_app(&cli).await?;
            commands::stats(&app).await
        }
        Command::Fetch { all, concurrency } => {
            let app = open_app(&cli).await?;
            commands::fetch(&app, *all, *concurrency).await
        }
        Command::Serve(options) => serve(&cli, options).await,
    }
}

/// `bulletin user …`.
async fn user(app: &Pipeline, cmd: &UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            role,
            display_name,
            title,
            bio,
            avatar_url,
        } => {
            users::add(
                app,
                users::NewAccount {
                    name: name.clone(),
                    role: role.clone(),
                    display_name: display_name.clone(),
                    title: title.clone(),
                    bio: bio.clone(),
                    avatar_url: avatar_url.clone(),
                },
            )
            .await
        }
        UserCommand::List => users::list(app).await,
        UserCommand::Password {
            name,
            revoke_tokens,
        } => users::password(app, name, *revoke_tokens).await,
        UserCommand::AppPassword { name, clear } => users::app_password(app, name, *clear).await,
        UserCommand::Disable { name } => users::set_disabled(app, name, true).await,
        UserCommand::Enable { name } => users::set_disabled(app, name, false).await,
        UserCommand::Remove { name } => users::remove(app, name).await,
        UserCommand::Role { name, role } => users::set_role(app, name, role).await,
        UserCommand::Tokens { name } => users::tokens(app, name).await,
        UserCommand::Revoke { name, id, all } => {
            users::revoke(app, name, if *all { None } else { *id }).await
        }
        UserCommand::Token { name, label } => users::token(app, name, label).await,
    }
}

/// `bulletin serve`: the options checked, then the web server and the
/// background fetcher.
async fn serve(cli: &Cli, options: &ServeArgs) -> Result<()> {
    let ServeArgs {
        addr,
        demo,
        demo_every,
        poll_minutes,
        no_fetch,
        public_url,
        websub_hub,
        role,
        lease_seconds,
        retention_days,
        header_timeout,
        max_connections_per_address,
        trusted_proxy,
        readers_add_sources,
    } = options;
    if !(poll_minutes.is_finite() && *poll_minutes > 0.0) {
        return Err(UsageError(
            "--poll-minutes must be a positive number, such as 1 or 0.5".into(),
        )
        .into());
    }
    let public_url = public_url.as_deref().map(parse_public_url).transpose()?;
    let websub_hub = websub_hub
        .as_deref()
        .map(|raw| {
            url::Url::parse(raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| {
                    UsageError(format!(
                        "--websub-hub '{raw}' must be an http or https address, such as https://pubsubhubbub.appspot.com/"
                    ))
                })
        })
        .transpose()?;
    let app = open_app(cli).await?;
    web::serve(
        app,
        web::ServeOptions {
            addr,
            demo: *demo,
            demo_every: (*demo && *demo_every > 0)
                .then(|| std::time::Duration::from_secs(*demo_every)),
            role: *role,
            poll: (!*no_fetch).then(|| std::time::Duration::from_secs_f64(poll_minutes * 60.0)),
            lease: chrono::Duration::seconds(*lease_seconds),
            retention_days: *retention_days,
            public_url,
            websub_hub,
            limits: web::ConnectionLimits {
                header_read: std::time::Duration::from_secs(*header_timeout),
                per_address: usize::try_from(*max_connections_per_address).unwrap_or(usize::MAX),
            },
            trusted_proxies: trusted_proxy.clone(),
            readers_add_sources: *readers_add_sources,
        },
    )
    .await
}
