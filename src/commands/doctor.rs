//! `opsdeck doctor`: where the database is and whether it is healthy.

use super::Context;
use std::os::unix::fs::MetadataExt;

/// Prints the report; exit 0 when healthy, 1 when a problem was found.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    let mut problems = 0;
    let mut line = |ok: bool, what: &str, detail: String| {
        if !ok {
            problems += 1;
        }
        let detail = crate::text::sanitize(&detail);
        outln!("{} {what:<14} {detail}", if ok { "✓" } else { "✗" });
    };
    let path = &ctx.db;
    line(true, "database", path.display().to_string());
    match crate::config::Config::path() {
        Some(p) if p.exists() => line(true, "config", p.display().to_string()),
        Some(p) => line(
            true,
            "config",
            format!("{} (not present: defaults)", p.display()),
        ),
        None => line(true, "config", "no config directory".into()),
    }
    if crate::store::pg::is_url(path) {
        let store = match ctx.open() {
            Ok(s) => s,
            Err(e) => {
                line(false, "open", e.to_string());
                outln!("1 problem(s) found");
                return Ok(1);
            }
        };
        if let Some(server) = store.server_report()? {
            line(true, "server", format!("PostgreSQL {}", server.version));
            line(
                true,
                "connection",
                format!(
                    "{} ({})",
                    server.url,
                    if server.tls {
                        "TLS"
                    } else {
                        "not encrypted: PGSSLMODE=require to insist on TLS"
                    }
                ),
            );
            let roles = store.opsdeck_roles()?;
            line(
                !roles.is_empty(),
                "login",
                if roles.is_empty() {
                    format!(
                        "{} — in none of the opsdeck roles: an admin grants one with `GRANT opsdeck_operator TO \"{}\"` (see `opsdeck team init`)",
                        server.login, server.login
                    )
                } else {
                    format!(
                        "{} ({}): the audit trail names this login",
                        server.login,
                        roles.join(", ")
                    )
                },
            );
        }
        let version = store.schema_version()?;
        line(
            version == crate::store::SCHEMA_VERSION,
            "schema",
            format!(
                "version {version} (this opsdeck: {})",
                crate::store::SCHEMA_VERSION
            ),
        );
        outln!(
            "  {} observations, {} work items; last change {}",
            store.observation_count()?,
            store.work_item_count()?,
            store
                .last_change()?
                .map(crate::format::rfc3339)
                .unwrap_or_else(|| "never".into())
        );
        if problems > 0 {
            outln!("{problems} problem(s) found");
        }
        return Ok(if problems > 0 { 1 } else { 0 });
    }
    if path.symlink_metadata().is_err() {
        line(
            false,
            "file",
            "does not exist (only `opsdeck init` creates a database)".into(),
        );
        return Err(crate::store::StoreError::Missing {
            path: path.display().to_string(),
        }
        .into());
    }
    let meta = std::fs::metadata(path)?;
    let mode = meta.mode() & 0o777;
    line(
        mode & 0o007 == 0,
        "permissions",
        format!(
            "{mode:o} (uid {}, gid {}){}",
            meta.uid(),
            meta.gid(),
            if mode & 0o007 != 0 {
                " — readable by everyone: chmod o-rwx"
            } else {
                ""
            }
        ),
    );
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if let Ok(dir) = std::fs::metadata(folder) {
        let dir_mode = dir.mode() & 0o7777;
        // A setgid or group-writable folder is meant for a team.
        if dir_mode & 0o2000 != 0 || dir_mode & 0o020 != 0 {
            let ok = mode & 0o060 == 0o060;
            line(
                ok,
                "group",
                if ok {
                    format!(
                        "the folder is shared with group {} and so is the file",
                        dir.gid()
                    )
                } else {
                    format!(
                        "the folder is shared with group {} but the file is not group-writable: the others cannot write — chmod g+rw it (and its -wal, -shm) and use umask 007",
                        dir.gid()
                    )
                },
            );
        }
    }
    line(
        true,
        "size",
        format!(
            "{} KiB (+ {} KiB WAL)",
            meta.len() / 1024,
            wal_size(path) / 1024
        ),
    );
    if let Some(fs) = filesystem(path) {
        let network = matches!(fs.as_str(), "nfs" | "smb" | "cifs");
        line(
            !network,
            "file system",
            if network {
                format!("{fs}: WAL needs a local file system — move the database")
            } else {
                fs
            },
        );
    }
    let store = ctx.open()?;
    line(
        !store.is_read_only(),
        "access",
        if store.is_read_only() {
            "read-only: writes are refused (check the file's and its folder's permissions)".into()
        } else {
            "read-write".into()
        },
    );
    let version = store.schema_version()?;
    line(
        version == crate::store::SCHEMA_VERSION,
        "schema",
        format!(
            "version {version} (this opsdeck: {})",
            crate::store::SCHEMA_VERSION
        ),
    );
    let mode = store.journal_mode()?;
    line(mode.eq_ignore_ascii_case("wal"), "journal", mode);
    let integrity = store.integrity_check()?;
    line(integrity == "ok", "integrity", integrity);
    for r in store.restores()? {
        line(
            true,
            "restored",
            format!(
                "{} rows from {} at {} by login {} (uid {}, as {}): rows up to then came from that file, not from use here",
                r.rows,
                r.file,
                crate::format::rfc3339(r.at),
                r.login,
                r.uid,
                r.actor
            ),
        );
    }
    outln!(
        "  {} observations, {} work items; last change {}",
        store.observation_count()?,
        store.work_item_count()?,
        store
            .last_change()?
            .map(crate::format::rfc3339)
            .unwrap_or_else(|| "never".into())
    );
    if problems > 0 {
        outln!("{problems} problem(s) found");
    }
    Ok(if problems > 0 { 1 } else { 0 })
}

fn wal_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(format!("{}-wal", path.display()))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// The file system type of the folder holding `path` (Linux), by magic number.
///
/// `unsafe` is allowed here and nowhere else in this module: it is sound
/// because `statfs` only reads the NUL-terminated `c` (a `CString` alive for
/// the whole call) and writes one plain-data `libc::statfs` owned by this
/// function (all-zero bytes are a valid value of it), and the result is read
/// only after a zero return. A safe crate (nix, rustix) would add a
/// dependency for one diagnostic call that `libc`, already a dependency,
/// makes directly.
#[allow(unsafe_code)]
fn filesystem(path: &std::path::Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` is owned here.
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    let magic = st.f_type as i64;
    Some(
        match magic {
            0x6969 => "nfs",
            0x517B => "smb",
            0xFF53_4D42 => "cifs",
            0xEF53 => "ext4",
            0x5846_5342 => "xfs",
            0x9123_683E => "btrfs",
            0x0102_1994 => "tmpfs",
            0x794C_7630 => "overlayfs",
            _ => "local",
        }
        .to_string(),
    )
}
