//! Help, completion and the manual page as a shell user meets them: completion tested in a
//! real interactive bash with the bash-completion package, as the Debian package installs
//! it; `--help` with the global options apart; colours that follow `--color` and `NO_COLOR`.

use std::path::Path;

use crate::common::{Home, Terminal, Tool, require};

/// An interactive bash with bash-completion loaded, the tool on its `PATH` and its
/// completion script where bash-completion looks for a user's (`completions bash >
/// ~/.local/share/bash-completion/completions/linkedin-optout`, as the README says).
fn bash_with_completion(home: &Home) -> Terminal {
    let bash = require("bash", "apt-get install bash");
    assert!(
        Path::new("/usr/share/bash-completion/bash_completion").is_file(),
        "the bash-completion package is needed: apt-get install bash-completion"
    );
    let script = Tool::new(home)
        .args(["completions", "bash"])
        .run()
        .expect_code(0)
        .stdout();
    let completions = home.path().join(".local/share/bash-completion/completions");
    std::fs::create_dir_all(&completions).unwrap();
    std::fs::write(completions.join("linkedin-optout"), script).unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_linkedin-optout"),
        bin.join("linkedin-optout"),
    );
    // A file whose name a broken completion would offer instead of a subcommand.
    std::fs::write(home.path().join("a-file-not-a-subcommand"), "").unwrap();
    let rc = home.path().join("bashrc");
    std::fs::write(
        &rc,
        format!(
            "source /usr/share/bash-completion/bash_completion\n\
             bind 'set show-all-if-ambiguous on'\n\
             bind 'set completion-query-items 0'\n\
             bind 'set page-completions off'\n\
             PATH={}:$PATH\n\
             cd {}\n\
             PS1='ready> '\n",
            bin.display(),
            home.path().display()
        ),
    )
    .unwrap();
    let command = Tool::new(home).command();
    let mut shell = std::process::Command::new(bash);
    shell.args(["--noprofile", "--rcfile", rc.to_str().unwrap(), "-i"]);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    let terminal = Terminal::start(&shell);
    terminal.wait_for("ready> ");
    terminal
}

/// What bash shows after `line` and a Tab: the candidates it lists, or what it inserts.
/// The line is then cleared and a marker printed, so that each case reads only its own.
fn complete(terminal: &mut Terminal, line: &str, case: usize) -> String {
    let before = terminal.shown().len();
    terminal.type_in(&format!("{line}\t"));
    // Bash lists (or inserts) and redraws the line; clear it (Ctrl-U) and print a marker
    // that only the shell's output holds, not the typed line.
    terminal.type_in(&format!("\u{15}echo $(({case}+1000))-done\n"));
    let end = terminal.wait_for_after(before, &format!("{}-done", case + 1000));
    terminal.shown()[before..end].to_string()
}

#[test]
fn bash_completes_subcommands_at_every_level_and_setting_names() {
    let home = Home::new();
    let mut bash = bash_with_completion(&home);
    let credentials = complete(&mut bash, "linkedin-optout credentials ", 1);
    for word in ["check", "remove", "set", "delete"] {
        assert!(credentials.contains(word), "{word} in {credentials:?}");
    }
    assert!(
        !credentials.contains("a-file-not-a-subcommand"),
        "{credentials:?}"
    );
    let schedule = complete(&mut bash, "linkedin-optout schedule ", 2);
    for word in ["install", "show", "remove"] {
        assert!(schedule.contains(word), "{word} in {schedule:?}");
    }
    let options = complete(&mut bash, "linkedin-optout credentials remove --f", 3);
    assert!(options.contains("--forget"), "{options:?}");
    let settings = complete(&mut bash, "linkedin-optout status --setting ads-", 4);
    for name in ["ads-by-age", "ads-by-gender", "ads-inferred-location"] {
        assert!(settings.contains(name), "{name} in {settings:?}");
    }
    assert!(
        !settings.contains("a-file-not-a-subcommand"),
        "{settings:?}"
    );
    let one = complete(&mut bash, "linkedin-optout audit --setting member-c", 5);
    assert!(one.contains("ookies"), "member-cookies completed: {one:?}");
    bash.type_in("exit\n");
    bash.finish();
}

/// A subcommand's `--help` lists its own options apart from the global ones.
#[test]
fn a_subcommands_help_shows_the_global_options_apart() {
    let home = Home::new();
    let help = Tool::new(&home)
        .args(["credentials", "remove", "--help"])
        .run()
        .expect_code(0)
        .stdout();
    let (own, global) = help
        .split_once("\nGlobal options:\n")
        .unwrap_or_else(|| panic!("{help}"));
    assert!(own.contains("--forget"), "{own}");
    for global_flag in ["--account", "--setting", "--json", "--config", "--color"] {
        assert!(
            !own.contains(global_flag),
            "{global_flag} in its own options:\n{own}"
        );
        assert!(global.contains(global_flag), "{global_flag}:\n{global}");
    }
}

/// Colours follow `--color` and `NO_COLOR`: never on a pipe unless asked, never on a
/// terminal when told not to.
#[test]
fn colours_follow_color_and_no_color() {
    let home = Home::new();
    const ESCAPE: char = '\u{1b}';
    let tool = |args: &[&str], no_color: Option<&str>| {
        let tool = Tool::new(&home).args(args.iter().copied());
        match no_color {
            Some(value) => tool.env("NO_COLOR", value),
            None => tool.env_remove("NO_COLOR"),
        }
    };
    let piped = |args: &[&str], no_color: Option<&str>| {
        let run = tool(args, no_color).run();
        format!("{}{}", run.stdout(), run.stderr())
    };
    assert!(!piped(&["status", "--bogus"], None).contains(ESCAPE));
    assert!(piped(&["--color", "always", "status", "--bogus"], None).contains(ESCAPE));
    assert!(piped(&["status", "--bogus", "--color=always"], Some("1")).contains(ESCAPE));
    // On a terminal: colours unless NO_COLOR or `--color never`.
    let on_terminal = |args: &[&str], no_color: Option<&str>| {
        Terminal::start(&tool(args, no_color).command()).finish()
    };
    assert!(on_terminal(&["status", "--bogus"], None).contains(ESCAPE));
    assert!(!on_terminal(&["status", "--bogus"], Some("1")).contains(ESCAPE));
    assert!(!on_terminal(&["--color", "never", "status", "--bogus"], None).contains(ESCAPE));
    // An empty NO_COLOR is no request.
    assert!(on_terminal(&["status", "--bogus"], Some("")).contains(ESCAPE));
}

/// "Did you mean" for a setting's name, and for a mistyped `remove` or `delete`.
#[test]
fn a_near_miss_gets_did_you_mean() {
    let home = Home::new();
    let setting = Tool::new(&home)
        .args([
            "--account",
            "a@example.org",
            "--setting",
            "ads-by-ag",
            "status",
        ])
        .run()
        .expect_code(2);
    let first = setting
        .stderr()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        first,
        "error: `--setting ads-by-ag` names no setting: did you mean `ads-by-age`?"
    );
    assert!(
        setting.stderr().contains("the names are"),
        "{}",
        setting.stderr()
    );
    for (typed, meant) in [
        (&["credentials", "remov"][..], "remove"),
        (&["credentials", "delet"], "delete"),
        (&["schedule", "remve"], "remove"),
    ] {
        let run = Tool::new(&home)
            .args(typed.iter().copied())
            .run()
            .expect_code(2);
        assert!(
            run.stderr()
                .contains(&format!("a similar subcommand exists: '{meant}'")),
            "{typed:?}: {}",
            run.stderr()
        );
    }
}
