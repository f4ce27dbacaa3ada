//! Many accounts on a WebDriver server the test runs itself, as a Selenium Grid would be
//! used: `--webdriver` with and without a trailing slash and a `/wd/hub` base path,
//! `--parallel`, and every session closed on that server afterwards.

use serde_json::json;

use crate::common::{Account, Chromedriver, Home, Sim, Tool};

/// Accounts on `sim` with their passwords in the keyring (and so in the config file).
fn accounts(test: &str, count: usize, sim: &Sim, home: &Home) -> Vec<Account> {
    (0..count)
        .map(|i| Account::on_sim(&format!("{test}{i}"), sim, home, json!({})))
        .collect()
}

/// Runs `optout` for every configured account against `webdriver` and checks the server.
fn opt_out_all(sim: &Sim, home: &Home, accounts: &[Account], webdriver: &str, parallel: &str) {
    let run = Tool::new(home)
        .args(["--base-url", &sim.base_url(), "--webdriver", webdriver])
        .args(["--browser-arg=--no-sandbox", "--parallel", parallel])
        .args(["optout", "--json"])
        .run()
        .expect_code(0);
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
        assert_eq!(server["ai_training"], "off", "{server}");
        assert_eq!(server["setting_writes"], 1, "{server}");
    }
}

#[test]
fn eight_accounts_four_at_a_time_on_one_driver() {
    let driver = Chromedriver::start("/");
    let sim = Sim::start(&[]);
    let home = Home::new();
    let accounts = accounts("grid", 8, &sim, &home);
    let url = format!("http://127.0.0.1:{}", driver.port);
    opt_out_all(&sim, &home, &accounts, &url, "4");
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
    assert_eq!(sim.account(&accounts[0].email)["ai_training"], "off");
    assert_eq!(sim.account(&accounts[1].email)["ai_training"], "on");
    assert_eq!(sim.account(&accounts[2].email)["ai_training"], "off");
    driver.assert_no_session_left();
}
