//! The README's promises, each proven by a test: a credentials file names its account
//! whatever the config says, one verb (`remove`, with `delete` as its alias) and what it
//! does to the config, `demo --json` prints only JSON, and every `verdict` of `schedule
//! show --json` is one the README lists.

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Home, PASSWORD, Sim, Tool};

/// "The account is the file's email": with `--credentials-file` and no `--account`, the run
/// acts on the file's account even when the config names another (as `credentials set`
/// leaves it), and records nothing for the config's.
#[test]
fn a_credentials_file_selects_its_own_account_whatever_the_config_names() {
    let in_file = "file-owner@example.org";
    let in_config = "config-owner@example.org";
    let sim = Sim::start(&[
        json!({"email": in_file, "password": PASSWORD}),
        json!({"email": in_config, "password": PASSWORD}),
    ]);
    let home = Home::new();
    home.write_config(&format!("[[account]]\nemail = {in_config:?}\n"));
    let credentials = home.credentials_file(in_file, PASSWORD);
    let run = Tool::new(&home)
        .args(["--base-url", &sim.base_url()])
        .args(["--credentials-file", credentials.to_str().unwrap()])
        .args(["optout", "--json"])
        .run()
        .expect_code(0);
    let reports = run.json_lines();
    assert_eq!(reports.len(), 1, "{}", run.stdout());
    assert_eq!(reports[0]["account"], in_file, "{}", reports[0]);
    assert_eq!(reports[0]["outcome"], "opted_out", "{}", reports[0]);
    assert_eq!(sim.account(in_file).spec.ai_training, AiTraining::Off);
    let untouched = sim.account(in_config);
    assert_eq!(untouched.spec.ai_training, AiTraining::On, "{untouched:?}");
    assert_eq!(untouched.sign_ins, 0, "{untouched:?}");
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    assert!(!history.contains(in_config), "{history}");
    assert!(!history.contains("bad_credentials"), "{history}");
}
