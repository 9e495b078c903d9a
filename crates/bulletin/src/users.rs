//! `bulletin user …`: accounts from the command line.

use crate::auth;
use anyhow::{Context, Result, bail};
use bulletin_pipeline::{Pipeline, secret};
use bulletin_store::{NewUser, Role, StoreError, User};
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

pub async fn add(app: &Pipeline, account: NewAccount) -> Result<()> {
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

/// The account called `name`, or an error that says where to look.
async fn account(app: &Pipeline, name: &str) -> Result<User> {
    match app.store.user_by_name(name.to_string()).await? {
        Some(user) => Ok(user),
        None => bail!("there is no user called {name}; see `bulletin user list`"),
    }
}

pub async fn password(app: &Pipeline, name: &str, revoke_tokens: bool) -> Result<()> {
    let user = account(app, name).await?;
    let password = read_password()?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters");
    }
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .context("the hashing task stopped")??;
    app.store.set_password(user.id, hash).await?;
    // The store ends the sessions with the password change; this makes
    // sure of it whatever the backend.
    app.store.end_sessions(user.id).await?;
    if revoke_tokens {
        let n = app.store.revoke_api_tokens(user.id, None).await?;
        eprintln!(
            "set the password of {}; their sessions have ended and {n} API token(s) were revoked",
            user.name
        );
    } else {
        eprintln!(
            "set the password of {}; their sessions have ended (API tokens still work: `bulletin user revoke {} --all` revokes them)",
            user.name, user.name
        );
    }
    Ok(())
}

/// `user app-password`: sets (or clears) the password reader apps use.
pub async fn app_password(app: &Pipeline, name: &str, clear: bool) -> Result<()> {
    let user = account(app, name).await?;
    if clear {
        app.store.set_app_password(user.id, None, None).await?;
        eprintln!(
            "removed the app password of {}; their reader apps are signed out",
            user.name
        );
        return Ok(());
    }
    let password = read_password()?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters");
    }
    let name = user.name.clone();
    let (hash, fever) =
        tokio::task::spawn_blocking(move || auth::app_password_hashes(&name, &password))
            .await
            .context("the hashing task stopped")??;
    app.store
        .set_app_password(user.id, Some(hash), Some(fever))
        .await?;
    eprintln!(
        "set the app password of {}: reader apps sign in with the name {:?} and it (Fever: the md5 of \"{}:APP_PASSWORD\")",
        user.name, user.name, user.name
    );
    Ok(())
}

pub async fn set_disabled(app: &Pipeline, name: &str, disabled: bool) -> Result<()> {
    let user = account(app, name).await?;
    app.store.set_user_disabled(user.id, disabled).await?;
    if disabled {
        eprintln!(
            "disabled {}: they cannot sign in, their sessions ended and their API tokens stop working",
            user.name
        );
    } else {
        eprintln!("enabled {}: they can sign in again", user.name);
    }
    Ok(())
}

pub async fn remove(app: &Pipeline, name: &str) -> Result<()> {
    let user = account(app, name).await?;
    match app.store.remove_user(user.id).await {
        Ok(_) => {
            eprintln!(
                "removed {} with their sessions, API tokens and stars",
                user.name
            );
            Ok(())
        }
        Err(StoreError::InUse(why)) => {
            bail!(
                "{} was not removed: {why} (`bulletin user disable {}`)",
                user.name,
                user.name
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_role(app: &Pipeline, name: &str, role: &str) -> Result<()> {
    let user = account(app, name).await?;
    let role = Role::parse(role)
        .with_context(|| format!("unknown role {role:?}: admin, chief_editor, editor or reader"))?;
    app.store.set_user_role(user.id, role).await?;
    eprintln!("{} is now {}", user.name, role.as_str());
    Ok(())
}

pub async fn tokens(app: &Pipeline, name: &str) -> Result<()> {
    let user = account(app, name).await?;
    let tokens = app.store.api_tokens(user.id).await?;
    if tokens.is_empty() {
        eprintln!(
            "{} has no API tokens; `bulletin user token {}` makes one",
            user.name, user.name
        );
        return Ok(());
    }
    out!("{:>4}  {:<20}  {:<20}  LAST USED", "ID", "LABEL", "CREATED");
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    for t in tokens {
        out!(
            "{:>4}  {:<20}  {:<20}  {}",
            t.id,
            t.name,
            when(t.created_at),
            t.last_used_at.map(when).unwrap_or_else(|| "never".into())
        );
    }
    Ok(())
}

pub async fn revoke(app: &Pipeline, name: &str, id: Option<i64>) -> Result<()> {
    let user = account(app, name).await?;
    let n = app.store.revoke_api_tokens(user.id, id).await?;
    match (id, n) {
        (Some(id), 0) => bail!(
            "{} has no API token {id}; `bulletin user tokens {}` lists them",
            user.name,
            user.name
        ),
        (Some(id), _) => eprintln!("revoked API token {id} of {}", user.name),
        (None, n) => eprintln!("revoked {n} API token(s) of {}", user.name),
    }
    Ok(())
}

pub async fn list(app: &Pipeline) -> Result<()> {
    let users = app.store.users().await?;
    if users.is_empty() {
        eprintln!("no users yet: add one with `bulletin user add NAME --role admin`");
        return Ok(());
    }
    out!("{:>4}  {:<20}  {:<12}  SHOWN AS", "ID", "NAME", "ROLE");
    for u in users {
        out!(
            "{:>4}  {:<20}  {:<12}  {}{}{}",
            u.id.0,
            u.name,
            u.role.as_str(),
            u.display_name.as_deref().unwrap_or(&u.name),
            u.title.map(|t| format!(", {t}")).unwrap_or_default(),
            if u.disabled { " (disabled)" } else { "" }
        );
    }
    Ok(())
}

pub async fn token(app: &Pipeline, name: &str, label: &str) -> Result<()> {
    let user = account(app, name).await?;
    let token = secret::random_hex(32)?;
    app.store
        .add_api_token(user.id, label.to_string(), secret::sha256_hex(&token))
        .await?;
    out!("{token}");
    eprintln!(
        "API token for {} ({label}); it is shown only now. Send it as: Authorization: Bearer <token>",
        user.name
    );
    Ok(())
}
