//! Managing accounts from the command line: roles, disabling, removal,
//! API tokens listed and revoked, and a password change that ends sessions
//! (and, when asked, revokes tokens). Checked over HTTP against a running
//! server, since that is where a forgotten session or token would still
//! work.

mod common;

use common::*;

/// The status an API call with this token gets (401: not accepted; 404:
/// accepted, no such item).
async fn token_status(server: &Server, token: &str) -> u16 {
    reqwest::Client::new()
        .put(format!("{}/api/v1/items/999999/star", server.base))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn new_token(data: &DataDir, name: &str, label: &str) -> String {
    let out = bulletin(data, &["user", "token", name, "--label", label]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

async fn ok(data: &DataDir, args: &[&str]) -> String {
    let out = bulletin(data, args).await;
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    format!("{}{}", stdout(&out), stderr(&out))
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_disable_remove_reassign_and_revoke_from_the_command_line() {
    let data = DataDir::new();
    for name in ["ana", "bob"] {
        let out = with_input(
            &data,
            &["user", "add", name, "--role", "editor"],
            "a-long-password\n",
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let phone = new_token(&data, "ana", "phone").await;
    let laptop = new_token(&data, "ana", "laptop").await;
    let server = Server::start(&data).await;
    let mut browser = Browser::new(&server.base);
    assert_eq!(browser.sign_in("ana", "a-long-password").await.status, 303);
    assert_eq!(browser.get("/newsroom").await.status, 200);
    assert_eq!(token_status(&server, &phone).await, 404);

    // Tokens are listed without their secrets, and revoked one by one.
    let listed = ok(&data, &["user", "tokens", "ana"]).await;
    assert!(
        listed.contains("phone") && listed.contains("laptop"),
        "{listed}"
    );
    assert!(!listed.contains(&phone) && !listed.contains(&laptop));
    let phone_id = listed
        .lines()
        .find(|l| l.contains("phone"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    ok(&data, &["user", "revoke", "ana", &phone_id]).await;
    assert_eq!(
        token_status(&server, &phone).await,
        401,
        "a revoked token works"
    );
    assert_eq!(token_status(&server, &laptop).await, 404);

    // Disabled: the session, the tokens and signing in all stop working.
    ok(&data, &["user", "disable", "ana"]).await;
    assert!(ok(&data, &["user", "list"]).await.contains("(disabled)"));
    assert_eq!(
        browser.get("/newsroom").await.status,
        303,
        "the session still works"
    );
    assert_eq!(token_status(&server, &laptop).await, 401);
    let mut again = Browser::new(&server.base);
    assert_eq!(again.sign_in("ana", "a-long-password").await.status, 401);
    ok(&data, &["user", "enable", "ana"]).await;
    assert_eq!(token_status(&server, &laptop).await, 404, "enabled again");
    assert_eq!(again.sign_in("ana", "a-long-password").await.status, 303);
    assert_eq!(again.get("/newsroom").await.status, 200);

    // A new password ends the sessions; asked to, it revokes the tokens.
    let out = with_input(
        &data,
        &["user", "password", "ana", "--revoke-tokens"],
        "another-long-one\n",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        again.get("/newsroom").await.status,
        303,
        "the session outlived the password"
    );
    assert_eq!(
        token_status(&server, &laptop).await,
        401,
        "the token outlived the password"
    );

    // Roles change; a reader has no newsroom.
    ok(&data, &["user", "role", "ana", "reader"]).await;
    let mut reader = Browser::new(&server.base);
    assert_eq!(reader.sign_in("ana", "another-long-one").await.status, 303);
    assert_eq!(reader.get("/newsroom").await.status, 403);
    let bad = bulletin(&data, &["user", "role", "ana", "king"]).await;
    assert_eq!(bad.status.code(), Some(2), "a usage error");

    // Removal: refused for an author of posts, done otherwise.
    let mut bob = Browser::new(&server.base);
    assert_eq!(bob.sign_in("bob", "a-long-password").await.status, 303);
    let csrf = bob.csrf("/newsroom/new").await;
    let posted = bob
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "update"),
                ("markdown", "Short update."),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let refused = bulletin(&data, &["user", "remove", "bob"]).await;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("disable"), "{}", stderr(&refused));
    ok(&data, &["user", "remove", "ana"]).await;
    assert!(!ok(&data, &["user", "list"]).await.contains("ana"));
    assert_eq!(
        reader.get("/newsroom").await.status,
        303,
        "a removed account's session works"
    );
}
