//! Reading a mailbox over IMAP against Debian's dovecot on loopback: the first read takes
//! what arrived since a date, later reads only what is new, nothing is marked read, and a
//! wrong password, folder or port is named.

use std::time::Duration;

use jiff::Timestamp;
use leadgate_connectors::imap::{self, Account, Cursor, ImapError, Security};

use crate::loopback::ImapServer;

fn account(server: &ImapServer) -> Account {
    Account {
        host: "127.0.0.1".to_string(),
        port: server.port,
        security: Security::Plain,
        username: server.username.clone(),
        password: server.password.clone(),
        folder: "INBOX".to_string(),
        ca_file: None,
        timeout: Duration::from_secs(10),
    }
}

fn message(n: u32) -> Vec<u8> {
    format!(
        "From: p{n}@prospect.example\r\nTo: ravi@routewise.example\r\nSubject: Re: leads\r\n\
         Message-ID: <m{n}@prospect.example>\r\nDate: Mon, 1 Mar 2027 10:00:00 +0000\r\n\r\nReply {n}.\r\n"
    )
    .into_bytes()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_folder_is_read_from_a_date_then_from_where_the_last_read_stopped() {
    // Arrange: an old message from before the date, two since.
    let Some(server) = ImapServer::start("ravi@routewise.example") else {
        return;
    };
    server.deliver("0.old", &message(0), at("2027-01-10T09:00:00Z"));
    server.deliver("1.new", &message(1), at("2027-03-01T10:00:00Z"));
    server.deliver("2.new", &message(2), at("2027-03-02T10:00:00Z"));
    let since = jiff::civil::date(2027, 3, 1);

    // Act
    let first = imap::fetch(&account(&server), None, since, 10)
        .await
        .unwrap();
    let cursor = Cursor {
        uid_validity: first.uid_validity,
        last_uid: first.messages.last().unwrap().0,
    };
    let nothing_new = imap::fetch(&account(&server), Some(cursor), since, 10)
        .await
        .unwrap();
    server.deliver("3.new", &message(3), at("2027-03-03T10:00:00Z"));
    let one_new = imap::fetch(&account(&server), Some(cursor), since, 10)
        .await
        .unwrap();
    let limited = imap::fetch(&account(&server), None, since, 2)
        .await
        .unwrap();
    let renumbered = Cursor {
        uid_validity: cursor.uid_validity.wrapping_add(1),
        last_uid: 99,
    };
    let after_renumbering = imap::fetch(&account(&server), Some(renumbered), since, 10)
        .await
        .unwrap();

    // Assert: the bytes are the message's; nothing repeats; a changed UIDVALIDITY starts
    // from the date again.
    let bodies = |batch: &imap::Batch| {
        batch
            .messages
            .iter()
            .map(|(_, raw)| {
                String::from_utf8_lossy(raw).contains("Reply ").then(|| {
                    String::from_utf8_lossy(raw)
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .to_string()
                })
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bodies(&first),
        [Some("Reply 1.".to_string()), Some("Reply 2.".to_string())],
        "{}",
        server.log()
    );
    assert_eq!(first.messages[0].1, message(1));
    assert!(!first.more);
    assert!(
        nothing_new.messages.is_empty(),
        "{:?}",
        nothing_new.messages
    );
    assert_eq!(bodies(&one_new), [Some("Reply 3.".to_string())]);
    assert_eq!(limited.messages.len(), 2);
    assert!(limited.more);
    assert_eq!(after_renumbering.messages.len(), 3);
}

#[tokio::test]
async fn a_wrong_password_folder_or_port_is_named() {
    let Some(server) = ImapServer::start("ravi@routewise.example") else {
        return;
    };
    let since = jiff::civil::date(2027, 3, 1);
    let wrong_password = Account {
        password: "nope".into(),
        ..account(&server)
    };
    let wrong_folder = Account {
        folder: "Replies".into(),
        ..account(&server)
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let wrong_port = Account {
        port: closed,
        ..account(&server)
    };

    let login = imap::fetch(&wrong_password, None, since, 10)
        .await
        .unwrap_err();
    let folder = imap::fetch(&wrong_folder, None, since, 10)
        .await
        .unwrap_err();
    let connect = imap::fetch(&wrong_port, None, since, 10).await.unwrap_err();

    assert!(matches!(login, ImapError::Login { .. }), "{login}");
    assert!(
        login.to_string().contains("ravi@routewise.example"),
        "{login}"
    );
    assert!(matches!(folder, ImapError::Folder { .. }), "{folder}");
    assert!(folder.to_string().contains("\"Replies\""), "{folder}");
    assert!(matches!(connect, ImapError::Connect { .. }), "{connect}");
}
