//! A program on a pseudo-terminal of its own (util-linux `script`), driven as a person at a
//! keyboard would: wait for what it shows, type, read everything it showed.

use std::io::{Read as _, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{require, wait_for};

/// How long a test waits for a terminal to show something.
const SHOWN_WITHIN: Duration = Duration::from_secs(30);

pub struct Terminal {
    child: Child,
    keyboard: Option<ChildStdin>,
    shown: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Terminal {
    /// Starts `command` (its program, arguments and environment) on a terminal.
    pub fn start(command: &Command) -> Terminal {
        let line = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|word| shell_quote(&word.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" ");
        let mut script = Command::new(require("script", "apt-get install bsdutils"));
        script
            .args(["-qefc", &line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = command.get_current_dir() {
            script.current_dir(dir);
        }
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => script.env(key, value),
                None => script.env_remove(key),
            };
        }
        let mut child = script.spawn().expect("script runs (util-linux)");
        let keyboard = child.stdin.take();
        let mut screen = child.stdout.take().unwrap();
        let shown = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&shown);
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = screen.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        Terminal {
            child,
            keyboard,
            shown,
            reader: Some(reader),
        }
    }

    /// Everything shown so far.
    pub fn shown(&self) -> String {
        self.shown.lock().unwrap().clone()
    }

    /// Waits until the terminal has shown `text` after what it had shown at `from` bytes,
    /// and returns the length shown then.
    #[track_caller]
    pub fn wait_for_after(&self, from: usize, text: &str) -> usize {
        wait_for(
            &format!("the terminal to show {text:?}"),
            SHOWN_WITHIN,
            || {
                let shown = self.shown();
                match shown.get(from..).and_then(|rest| rest.find(text)) {
                    Some(at) => Ok(from + at + text.len()),
                    None => Err(shown),
                }
            },
        )
    }

    /// Waits until the terminal has shown `text`.
    #[track_caller]
    pub fn wait_for(&self, text: &str) -> usize {
        self.wait_for_after(0, text)
    }

    /// Types `keys` as they are (`\t` is Tab, `\n` Enter).
    pub fn type_in(&mut self, keys: &str) {
        let keyboard = self.keyboard.as_mut().expect("the keyboard is there");
        keyboard.write_all(keys.as_bytes()).unwrap();
        keyboard.flush().unwrap();
    }

    /// Closes the keyboard, waits for the program to end, and returns all it showed.
    pub fn finish(mut self) -> String {
        drop(self.keyboard.take());
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.shown()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.reader.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `word` quoted for `sh`.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}
