//! Many accounts on a WebDriver server the test runs itself, as a Selenium Grid would be
//! used: `--webdriver` with and without a trailing slash and a `/wd/hub` base path,
//! `--parallel`, and every session closed on that server afterwards.

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::time::Duration;

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Account, Chromedriver, HeldSettingPage, Home, Run, Sim, Tool, wait_for};

/// Accounts on `sim` with their passwords in the keyring (and so in the config file).
fn accounts(test: &str, count: usize, sim: &Sim, home: &Home) -> Vec<Account> {
    (0..count)
        .map(|i| Account::on_sim(&format!("{test}{i}"), sim, home, json!({})))
        .collect()
}

/// `optout --json` for every configured account against `webdriver`, `parallel` at once.
fn opt_out_all_command<'h>(sim: &Sim, home: &'h Home, webdriver: &str, parallel: &str) -> Tool<'h> {
    Tool::new(home)
        .args(["--base-url", &sim.base_url(), "--webdriver", webdriver])
        .args(["--browser-arg=--no-sandbox", "--parallel", parallel])
        .args(["optout", "--json"])
}

/// Runs `optout` for every configured account against `webdriver` and checks the server.
fn opt_out_all(sim: &Sim, home: &Home, accounts: &[Account], webdriver: &str, parallel: &str) {
    let run = opt_out_all_command(sim, home, webdriver, parallel).run();
    assert_all_opted_out(sim, accounts, run);
}

/// Every account opted out, one report line each, and the server says so.
fn assert_all_opted_out(sim: &Sim, accounts: &[Account], run: Run) {
    let run = run.expect_code(0);
    let reports = run.json_lines();
    assert_eq!(
        reports.len(),
        accounts.len(),
        "one line per account\n{}",
        run.stdout()
    );
    for (report, account) in reports.iter().zip(accounts) {
        assert_eq!(report["account"], account.email.as_str());
        assert_eq!(report["outcome"], "opted_out", "{report}");
        let server = sim.account(&account.email);
        assert_eq!(server.spec.ai_training, AiTraining::Off, "{server:?}");
        assert_eq!(server.setting_writes, 1, "{server:?}");
    }
}

/// Four at a time, proven from the server and the driver rather than from timing: with every
/// run held once signed in, the server sees exactly four accounts signed in and none saved,
/// while the driver runs four browsers; let go, all eight opt out.
#[test]
fn eight_accounts_four_at_a_time_on_one_driver() {
    let driver = Chromedriver::start("/");
    let sim = Sim::start(&[]);
    let home = Home::new();
    let accounts = accounts("grid", 8, &sim, &home);
    let held = HeldSettingPage::of(&sim, accounts.iter().map(|a| a.email.as_str()));
    let url = format!("http://127.0.0.1:{}", driver.port);
    // A held run waits for its page until all four have signed in: a long page timeout.
    let mut running = opt_out_all_command(&sim, &home, &url, "4")
        .args(["--timeout", "120"])
        .spawn();
    let signed_in = || -> Vec<linkedin_sim::AccountView> {
        accounts
            .iter()
            .map(|account| sim.account(&account.email))
            .filter(|server| server.sign_ins != 0)
            .collect()
    };
    let signed_in_at_once = wait_for(
        "four accounts signed in and held at once",
        Duration::from_secs(100),
        || {
            assert!(running.is_running(), "the run ended early");
            let signed_in = signed_in();
            if signed_in.len() >= 4 {
                Ok(signed_in)
            } else {
                Err(format!("{} signed in", signed_in.len()))
            }
        },
    );
    // Held, no run can end and free its place: a fifth signed in would be a fifth at once.
    assert_eq!(signed_in_at_once.len(), 4, "{signed_in_at_once:#?}");
    for server in &signed_in_at_once {
        assert_eq!(server.sign_ins, 1, "{server:?}");
        assert_eq!(server.setting_writes, 0, "{server:?}");
    }
    assert_eq!(driver.browsers().len(), 4, "{:?}", driver.browsers());
    drop(held);
    assert_all_opted_out(&sim, &accounts, running.finish());
    driver.assert_no_session_left();
}

#[test]
fn a_grid_path_works_with_and_without_a_trailing_slash() {
    let driver = Chromedriver::start("/wd/hub");
    for (i, url) in [
        format!("http://127.0.0.1:{}/wd/hub", driver.port),
        format!("http://127.0.0.1:{}/wd/hub/", driver.port),
    ]
    .iter()
    .enumerate()
    {
        let sim = Sim::start(&[]);
        let home = Home::new();
        let accounts = accounts(&format!("hub{i}-"), 2, &sim, &home);
        opt_out_all(&sim, &home, &accounts, url, "2");
        driver.assert_no_session_left();
    }
}

#[test]
fn one_failing_account_does_not_stop_the_others() {
    let driver = Chromedriver::start("/");
    let sim = Sim::start(&[]);
    let home = Home::new();
    let accounts = accounts("mixed", 3, &sim, &home);
    sim.put(&accounts[1].email, json!({"checkpoint": "captcha"}));
    let run = Tool::new(&home)
        .args(["--base-url", &sim.base_url()])
        .args(["--webdriver", &format!("http://127.0.0.1:{}/", driver.port)])
        .args([
            "--browser-arg=--no-sandbox",
            "--parallel",
            "2",
            "optout",
            "--json",
        ])
        .run()
        .expect_code(4);
    let outcomes: Vec<_> = run
        .json_lines()
        .iter()
        .map(|r| r["outcome"].clone())
        .collect();
    assert_eq!(outcomes, ["opted_out", "needs_person", "opted_out"]);
    assert_eq!(
        sim.account(&accounts[0].email).spec.ai_training,
        AiTraining::Off
    );
    assert_eq!(
        sim.account(&accounts[1].email).spec.ai_training,
        AiTraining::On
    );
    assert_eq!(
        sim.account(&accounts[2].email).spec.ai_training,
        AiTraining::Off
    );
    driver.assert_no_session_left();
}

/// A TLS front for a WebDriver server, as an https Grid has: a self-signed certificate for
/// `localhost` (made by openssl), which a run trusts through `SSL_CERT_FILE`.
struct TlsFront {
    port: u16,
    certificate: std::path::PathBuf,
    /// Runs the accept loop and the relays; dropping it ends them.
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl TlsFront {
    fn start(backend: u16) -> TlsFront {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let dir = tempfile::tempdir().unwrap();
        let certificate = dir.path().join("localhost.pem");
        let key = dir.path().join("localhost.key");
        let made = Command::new(crate::common::require("openssl", "apt-get install openssl"))
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args([
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ])
            // A server's certificate, not a CA's: webpki refuses a CA as the end entity.
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(made.success(), "openssl made no certificate");
        let chain = CertificateDer::pem_file_iter(&certificate)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(&key).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    if let Ok(mut server) =
                        tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, backend)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        TlsFront {
            port,
            certificate,
            _runtime: runtime,
            _dir: dir,
        }
    }
}

/// An https Grid works (fantoccini over rustls), and needs no `--insecure-webdriver`.
#[test]
fn an_https_grid_works() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let driver = Chromedriver::start("/wd/hub");
    let front = TlsFront::start(driver.port);
    let accounts = accounts("https", 1, &sim, &home);
    let run = Tool::new(&home)
        .env("SSL_CERT_FILE", front.certificate.to_str().unwrap())
        .args(["--base-url", &sim.base_url()])
        .args([
            "--webdriver",
            &format!("https://localhost:{}/wd/hub", front.port),
        ])
        .args(["--browser-arg=--no-sandbox", "optout", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(run.report()["outcome"], "opted_out", "{}", run.stdout());
    assert_eq!(
        sim.account(&accounts[0].email).spec.ai_training,
        AiTraining::Off
    );
    driver.assert_no_session_left();
}
