//! A tool built without its simulator (`cargo build --no-default-features`): `demo` and
//! `simulator` are still listed, and say in one line that they were not built in, with the
//! usage exit code. Compiled only in that build (`scripts/test.sh` runs it with
//! `cargo test --no-default-features --test it without_simulator::`).

use crate::common::{Home, Tool};

#[test]
fn demo_and_simulator_say_they_were_not_built_in() {
    let home = Home::new();
    for args in [
        &["demo"][..],
        &["simulator"],
        &[
            "simulator",
            "--listen",
            "127.0.0.1:0",
            "--account",
            "a@example.com",
        ],
    ] {
        let run = Tool::new(&home)
            .args(args.iter().copied())
            .run()
            .expect_code(2);
        let stderr = run.stderr();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: `{}` needs the built-in simulator",
                args[0]
            )) && stderr.contains("cargo feature `simulator`"),
            "{args:?}: {stderr}"
        );
        assert_eq!(run.stdout(), "", "{args:?}");
    }
}
