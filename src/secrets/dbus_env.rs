//! Finding the D-Bus session bus when the environment does not say where it is.
//!
//! The OS keyring on Linux is the Secret Service, reached over the D-Bus session bus, whose
//! address normally comes from `DBUS_SESSION_BUS_ADDRESS`. Cron sets neither that nor
//! (usually) `XDG_RUNTIME_DIR`, so a scheduled run would not find a keyring that is right
//! there at `/run/user/UID/bus` while the user is logged in (or lingering). We look for that
//! socket once, at startup, and point this process at it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ADDRESS_VAR: &str = "DBUS_SESSION_BUS_ADDRESS";

/// How this process came to know its session bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionBus {
    /// `DBUS_SESSION_BUS_ADDRESS` was already set.
    Inherited,
    /// No address was set; we set it to this socket.
    Adopted(PathBuf),
    /// No address was set and there was no bus socket here (typical of cron without a login).
    NotFound(PathBuf),
}

static SESSION_BUS: OnceLock<SessionBus> = OnceLock::new();

/// What `adopt_session_bus` found, if it ran; error messages use it to explain a missing bus.
pub fn session_bus() -> Option<&'static SessionBus> {
    SESSION_BUS.get()
}

/// Sets `DBUS_SESSION_BUS_ADDRESS` for this process when it is unset and the user's bus
/// socket (`$XDG_RUNTIME_DIR/bus`, else `/run/user/UID/bus`) exists. Runs once; later calls
/// do nothing.
///
/// # Safety
///
/// Call it while the process has a single thread (in `main`, before the async runtime
/// starts): it may call `std::env::set_var`, which is only sound when no other thread can be
/// reading or writing the environment at the same time.
pub unsafe fn adopt_session_bus() {
    if SESSION_BUS.get().is_some() {
        return;
    }
    let found = if std::env::var_os(ADDRESS_VAR).is_some_and(|v| !v.is_empty()) {
        SessionBus::Inherited
    } else {
        let socket = bus_socket_path(std::env::var_os("XDG_RUNTIME_DIR"), current_uid());
        if is_socket(&socket) {
            // SAFETY: the caller guarantees that this process has one thread.
            unsafe { std::env::set_var(ADDRESS_VAR, bus_address(&socket)) };
            SessionBus::Adopted(socket)
        } else {
            SessionBus::NotFound(socket)
        }
    };
    match &found {
        SessionBus::Inherited => tracing::debug!("using the session bus from {ADDRESS_VAR}"),
        SessionBus::Adopted(path) => {
            tracing::debug!(
                "{ADDRESS_VAR} was unset: adopted the session bus at {}",
                path.display()
            )
        }
        SessionBus::NotFound(path) => tracing::debug!(
            "{ADDRESS_VAR} is unset and there is no session bus at {}",
            path.display()
        ),
    }
    let _ = SESSION_BUS.set(found);
}

/// Where the user's bus socket is, the way libdbus and systemd place it.
fn bus_socket_path(xdg_runtime_dir: Option<OsString>, uid: u32) -> PathBuf {
    match xdg_runtime_dir.map(PathBuf::from) {
        // The spec says to ignore a relative XDG_RUNTIME_DIR.
        Some(dir) if dir.is_absolute() => dir.join("bus"),
        _ => PathBuf::from(format!("/run/user/{uid}/bus")),
    }
}

/// A D-Bus `unix:path=` address, escaped as the D-Bus specification requires: every byte
/// outside `[-0-9A-Za-z_/.\*]` is written `%XX`.
fn bus_address(socket: &Path) -> String {
    use std::os::unix::ffi::OsStrExt as _;
    let mut address = String::from("unix:path=");
    for &byte in socket.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-_/.\\*".contains(&byte) {
            address.push(char::from(byte));
        } else {
            address.push_str(&format!("%{byte:02x}"));
        }
    }
    address
}

fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    // Follows symlinks, as connecting to the path does.
    std::fs::metadata(path).is_ok_and(|meta| meta.file_type().is_socket())
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_without_xdg_runtime_dir_looks_under_run_user() {
        assert_eq!(
            bus_socket_path(None, 1000),
            PathBuf::from("/run/user/1000/bus")
        );
        assert_eq!(
            bus_socket_path(Some("relative".into()), 1000),
            PathBuf::from("/run/user/1000/bus")
        );
        assert_eq!(
            bus_socket_path(Some("/tmp/rt".into()), 1000),
            PathBuf::from("/tmp/rt/bus")
        );
    }

    #[test]
    fn addresses_are_escaped() {
        assert_eq!(
            bus_address(Path::new("/run/user/1000/bus")),
            "unix:path=/run/user/1000/bus"
        );
        assert_eq!(
            bus_address(Path::new("/tmp/a b,c=d/bus")),
            "unix:path=/tmp/a%20b%2cc%3dd/bus"
        );
    }

    #[test]
    fn only_sockets_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bus");
        std::fs::write(&file, "").unwrap();
        assert!(!is_socket(&file));
        let socket = dir.path().join("real");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert!(is_socket(&socket));
    }
}
