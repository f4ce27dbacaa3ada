//! Keeping the local driver's port to the tool: who holds a loopback port, and hiding the
//! driver's secret path from other users.
//!
//! A WebDriver server has no authentication: whoever reaches its port drives the browser,
//! cookies included. On Linux the tool makes sure that the socket listening on the port is
//! the driver's own (a user who bound the port first would otherwise receive the session),
//! and starts chromedriver under a random `--url-base` that it then overwrites in the
//! driver's command line, which every user can read in `/proc/<pid>/cmdline`.

use std::io;

/// Who listens on a loopback TCP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// Nobody yet.
    Nobody,
    /// The process we asked about.
    Ours,
    /// Another process (perhaps another user's).
    Foreign,
}

/// Who listens where a connection to `127.0.0.1:port` would land: `pid`, someone else, or
/// nobody. Reads `/proc/net/tcp`, `/proc/net/tcp6` (a dual-stack `[::]` socket takes IPv4
/// connections too) and `/proc/<pid>/fd`.
#[cfg(target_os = "linux")]
pub fn listener(port: u16, pid: u32) -> io::Result<Listener> {
    let mut inodes = listening_inodes(&std::fs::read_to_string("/proc/net/tcp")?, port);
    if let Ok(table) = std::fs::read_to_string("/proc/net/tcp6") {
        inodes.extend(listening_inodes(&table, port));
    }
    if inodes.is_empty() {
        return Ok(Listener::Nobody);
    }
    let owned = socket_inodes_of(pid)?;
    Ok(if inodes.iter().all(|inode| owned.contains(inode)) {
        Listener::Ours
    } else {
        Listener::Foreign
    })
}

/// The inodes of the sockets in a `/proc/net/tcp` or `tcp6` `table` that listen on `port`
/// where connections to 127.0.0.1 land: 127.0.0.1, 0.0.0.0, `[::]`, or `[::ffff:127.0.0.1]`.
#[cfg(target_os = "linux")]
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode …
    const LISTEN: &str = "0A";
    let wanted = [
        format!("0100007F:{port:04X}"),
        format!("00000000:{port:04X}"),
        format!("00000000000000000000000000000000:{port:04X}"),
        format!("0000000000000000FFFF00000100007F:{port:04X}"),
    ];
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            (wanted.iter().any(|w| w == local) && *state == LISTEN)
                .then(|| inode.parse().ok())
                .flatten()
        })
        .collect()
}

/// The inodes of the sockets process `pid` holds open.
#[cfg(target_os = "linux")]
fn socket_inodes_of(pid: u32) -> io::Result<Vec<u64>> {
    let mut inodes = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        let Ok(target) = std::fs::read_link(entry?.path()) else {
            continue;
        };
        let target = target.to_string_lossy();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|inode| inode.parse().ok())
        {
            inodes.push(inode);
        }
    }
    Ok(inodes)
}

/// Overwrites every copy of `secret` in the command line of our child `pid` with `x`s, so
/// that other users no longer read it in `/proc/<pid>/cmdline`. The child must have parsed
/// its arguments already (a listening driver has). Returns whether the command line no
/// longer holds the secret.
#[cfg(target_os = "linux")]
pub fn hide_from_command_line(pid: u32, secret: &str) -> io::Result<bool> {
    use std::os::unix::fs::FileExt as _;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which may hold spaces: field 3 (state) is the first;
    // arg_start and arg_end are fields 48 and 49.
    let after_comm: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |n: usize| -> io::Result<u64> {
        after_comm
            .get(n - 3)
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| io::Error::other(format!("no field {n} in /proc/{pid}/stat")))
    };
    let (start, end) = (field(48)?, field(49)?);
    let length = usize::try_from(end.saturating_sub(start)).map_err(io::Error::other)?;
    let memory = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(format!("/proc/{pid}/mem"))?;
    let mut arguments = vec![0u8; length];
    memory.read_exact_at(&mut arguments, start)?;
    let secret = secret.as_bytes();
    let mut offset = 0;
    while let Some(found) = find(&arguments[offset..], secret) {
        let at = offset + found;
        memory.write_all_at(&vec![b'x'; secret.len()], start + at as u64)?;
        offset = at + secret.len();
    }
    let shown = std::fs::read(format!("/proc/{pid}/cmdline"))?;
    Ok(find(&shown, secret).is_none())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A fresh random secret for the driver's URL path: 128 bits, hex.
pub fn random_secret() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn finds_listeners_on_loopback_and_the_wildcard_only() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1
   3: 0200007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0
";
        assert_eq!(listening_inodes(table, 8080), vec![111, 222]);
        assert!(listening_inodes(table, 8081).is_empty());
        let table6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 666 1 0000000000000000 100 0 0 10 0
";
        assert_eq!(
            listening_inodes(table6, 8080),
            vec![666],
            "[::1] is not where 127.0.0.1 lands"
        );
    }

    #[test]
    fn a_listener_of_our_own_is_ours_and_a_free_port_has_nobody() {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        assert_eq!(listener(port, std::process::id()).unwrap(), Listener::Ours);
        let child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let child = Guard(child);
        assert_eq!(listener(port, child.0.id()).unwrap(), Listener::Foreign);
        drop(socket);
        assert_eq!(
            listener(port, std::process::id()).unwrap(),
            Listener::Nobody
        );
    }

    #[test]
    fn the_secret_leaves_a_childs_command_line() {
        let secret = random_secret();
        // A shell that waits on its stdin, with the secret among its arguments.
        let child = std::process::Command::new("sh")
            .args([
                "-c",
                "read line",
                "shell",
                &format!("--url-base=/{secret}/"),
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let child = Guard(child);
        let pid = child.0.id();
        // spawn returns once the exec is certain, which can be before the new command
        // line is in place.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while find(
            &std::fs::read(format!("/proc/{pid}/cmdline")).unwrap(),
            secret.as_bytes(),
        )
        .is_none()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the secret never showed"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(hide_from_command_line(pid, &secret).unwrap());
        let after =
            String::from_utf8(std::fs::read(format!("/proc/{pid}/cmdline")).unwrap()).unwrap();
        assert!(
            after.contains(&format!("--url-base=/{}/", "x".repeat(32))),
            "{after}"
        );
        assert!(!after.contains(&secret));
    }

    /// Kills and reaps the child whatever the test's outcome.
    struct Guard(std::process::Child);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
