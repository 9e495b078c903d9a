//! `bulletin user …`: accounts from the command line.

use crate::App;
use crate::auth;
use anyhow::{Context, Result, bail};
use bulletin_store::{NewUser, Role, StoreError};
use std::io::{BufRead, IsTerminal};

/// Shortest password accepted.
const MIN_PASSWORD_CHARS: usize = 8;

pub struct NewAccount {
    pub name: String,
    pub role: String,
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
}

fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        let again =
            rpassword::prompt_password("Password again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ; nothing was created");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn add(app: &App, account: NewAccount) -> Result<()> {
    let name = account.name.trim().to_string();
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("a user name needs at least one character and no spaces");
    }
    let role = Role::parse(&account.role)
        .with_context(|| format!("unknown role {:?}: admin, editor or reader", account.role))?;
    let avatar_url = match account.avatar_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(bulletin_core::web_url(raw).with_context(|| {
            format!("the avatar URL {raw:?} is not an http(s) address; give one such as https://example.org/ana.jpg")
        })?),
    };
    let password = read_password()?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters");
    }
    let password_hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .context("the hashing task stopped")??;
    let result = app
        .store
        .add_user(NewUser {
            name: name.clone(),
            role: Some(role),
            password_hash,
            display_name: account.display_name,
            title: account.title,
            bio: account.bio,
            avatar_url,
            created_at: None,
        })
        .await;
    match result {
        Ok(id) => {
            eprintln!("created {} {name} (id {id})", role.as_str());
            Ok(())
        }
        Err(StoreError::DuplicateUser(_)) => {
            bail!("there is already a user called {name}; see `bulletin user list`")
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn password(app: &App, name: &str) -> Result<()> {
    let Some(user) = app.store.user_by_name(name.to_string()).await? else {
        bail!("there is no user called {name}; see `bulletin user list`");
    };
    let password = read_password()?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters");
    }
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .context("the hashing task stopped")??;
    app.store.set_password(user.id, hash).await?;
    eprintln!(
        "set the password of {}; their sessions have ended",
        user.name
    );
    Ok(())
}

pub async fn list(app: &App) -> Result<()> {
    let users = app.store.users().await?;
    if users.is_empty() {
        eprintln!("no users yet: add one with `bulletin user add NAME --role admin`");
        return Ok(());
    }
    println!("{:>4}  {:<20}  {:<7}  SHOWN AS", "ID", "NAME", "ROLE");
    for u in users {
        println!(
            "{:>4}  {:<20}  {:<7}  {}{}",
            u.id.0,
            u.name,
            u.role.as_str(),
            u.display_name.as_deref().unwrap_or(&u.name),
            u.title.map(|t| format!(", {t}")).unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn token(app: &App, name: &str, label: &str) -> Result<()> {
    let Some(user) = app.store.user_by_name(name.to_string()).await? else {
        bail!("there is no user called {name}; see `bulletin user list`");
    };
    let token = auth::new_token()?;
    app.store
        .add_api_token(user.id, label.to_string(), auth::token_hash(&token))
        .await?;
    println!("{token}");
    eprintln!(
        "API token for {} ({label}); it is shown only now. Send it as: Authorization: Bearer <token>",
        user.name
    );
    Ok(())
}
