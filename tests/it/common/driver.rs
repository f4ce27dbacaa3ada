//! A chromedriver of the test's own, for tests that drive a browser themselves or hand the
//! tool a WebDriver server (`--webdriver`), as a Selenium Grid would be used.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{children_of, wait_for};

/// A chromedriver of the test's own, stopped when dropped.
pub struct Chromedriver {
    child: Child,
    pub port: u16,
}

impl Chromedriver {
    pub fn start(url_base: &str) -> Chromedriver {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(crate::common::require(
            "chromedriver",
            "apt-get install chromium-driver",
        ))
        .arg(format!("--port={port}"))
        .arg(format!("--url-base={url_base}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts (apt-get install chromium-driver)");
        wait_for("chromedriver to listen", Duration::from_secs(20), || {
            TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
        });
        Chromedriver { child, port }
    }

    /// The browsers this driver still runs (its child processes).
    pub fn browsers(&self) -> Vec<u32> {
        children_of(self.child.id())
    }

    /// Waits until the driver runs no browser: every session was closed.
    #[track_caller]
    pub fn assert_no_session_left(&self) {
        wait_for(
            "every session on the driver to close",
            Duration::from_secs(10),
            || match self.browsers() {
                browsers if browsers.is_empty() => Ok(()),
                browsers => Err(format!("sessions left open: {browsers:?}")),
            },
        );
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
