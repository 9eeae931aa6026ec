//! The terminal is restored after a normal quit, a panic, SIGTERM and SIGHUP:
//! the cockpit runs in a real terminal (tmux), and afterwards the shell in
//! that terminal must be back in cooked mode on the main screen.
//! Needs tmux: fails with a message where it is not installed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// These tests need a real terminal: they fail (never pass silently) where
/// tmux is missing. `.ci/run` installs it.
fn require_tmux() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "this test needs tmux: install it (apt-get install tmux); .ci/run does"
    );
}

struct Session {
    name: String,
    socket: String,
}

impl Session {
    /// Starts `script` in a detached 80x24 tmux session on its own server.
    fn start(tag: &str, script: &str) -> Session {
        let name = format!("opsdeck-test-{tag}-{}", std::process::id());
        let socket = format!("opsdeck-{tag}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "80",
                "-y",
                "24",
                "sh",
                "-c",
                script,
            ])
            .status()
            .expect("tmux")
            .success();
        assert!(ok, "tmux session started");
        Session { name, socket }
    }

    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(needle) || start.elapsed() > limit {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// Writes the demo database `name` into `dir` and returns its path.
fn demo_db(dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    let ok = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--db")
        .arg(&db)
        .arg("demo")
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "opsdeck demo");
    db
}

/// Runs the cockpit on a demo database in tmux, ends it with `how`, and
/// returns the screen after the shell printed the terminal mode.
fn run_and_end(tag: &str, env: &str, how: &dyn Fn(&Session, &Path)) -> String {
    start_and_end(tag, env, "", how).1
}

/// [`run_and_end`] with more arguments for the cockpit (`args`), keeping
/// the session (the shell still runs in it) for a look at the terminal.
fn start_and_end(
    tag: &str,
    env: &str,
    args: &str,
    how: &dyn Fn(&Session, &Path),
) -> (Session, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "t.db");
    let bin = env!("CARGO_BIN_EXE_opsdeck");
    let pidfile = dir.path().join("pid");
    let script = format!(
        "RUST_BACKTRACE=0 {env} {bin} --db {db} {args} & echo $! > {pid}; wait $!; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; sleep 30",
        db = db.display(),
        pid = pidfile.display()
    );
    let s = Session::start(tag, &script);
    let screen = s.wait_for("Leading indicators", Duration::from_secs(10));
    assert!(
        screen.contains("Leading indicators"),
        "the cockpit came up:\n{screen}"
    );
    how(&s, &pidfile);
    let screen = s.wait_for("icanon", Duration::from_secs(10));
    (s, screen)
}

/// `1` while the program in the session's pane has the terminal report the
/// mouse (any mode), `0` otherwise (tmux keeps the mode after the program
/// leaves the alternate screen: only turning it off clears it).
fn mouse_flag(s: &Session) -> String {
    let out = Command::new("tmux")
        .args([
            "-L",
            &s.socket,
            "display",
            "-p",
            "-t",
            &s.name,
            "#{mouse_any_flag}",
        ])
        .output()
        .expect("tmux display");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn send_q(s: &Session) {
    Command::new("tmux")
        .args(["-L", &s.socket, "send-keys", "-t", &s.name, "q"])
        .status()
        .unwrap();
}

fn assert_restored(screen: &str) {
    assert!(screen.contains("EXIT="), "the process ended:\n{screen}");
    // `icanon` (not `-icanon`): raw mode is off again.
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "cooked mode restored:\n{screen}"
    );
    // Back on the main screen: the cockpit's frame is gone.
    assert!(
        !screen.contains("Leading indicators"),
        "alternate screen left:\n{screen}"
    );
}

fn signal(pidfile: &Path, sig: &str) {
    let pid = std::fs::read_to_string(pidfile).unwrap();
    Command::new("kill")
        .args([sig, pid.trim()])
        .status()
        .unwrap();
}

#[test]
fn restored_after_quit_panic_sigterm_and_sighup() {
    require_tmux();
    let quit = run_and_end("quit", "", &|s, _| {
        Command::new("tmux")
            .args(["-L", &s.socket, "send-keys", "-t", &s.name, "q"])
            .status()
            .unwrap();
    });
    assert_restored(&quit);
    assert!(quit.contains("EXIT=0"), "{quit}");

    let panic = run_and_end("panic", "OPSDECK_DEBUG_PANIC_AFTER_MS=1500", &|_, _| {});
    assert_restored(&panic);
    assert!(
        panic.contains("debug panic requested"),
        "the panic message is readable:\n{panic}"
    );

    let term = run_and_end("term", "", &|_, pid| signal(pid, "-TERM"));
    assert_restored(&term);

    let hup = run_and_end("hup", "", &|_, pid| signal(pid, "-HUP"));
    assert_restored(&hup);
}

#[test]
fn the_cockpit_ends_when_its_terminal_goes_away() {
    require_tmux();
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "gone.db");
    let bin = env!("CARGO_BIN_EXE_opsdeck");
    let pidfile = dir.path().join("pid");
    let script = format!(
        "echo $$ > {}; exec {bin} --db {}",
        pidfile.display(),
        db.display()
    );
    let s = Session::start("gone", &script);
    let screen = s.wait_for("Leading indicators", Duration::from_secs(10));
    assert!(screen.contains("Leading indicators"), "{screen}");
    let pid = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .to_string();
    // The SSH connection drops: the terminal disappears under the cockpit.
    drop(s);
    let start = Instant::now();
    let alive = |pid: &str| {
        Command::new("kill")
            .args(["-0", pid])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    while alive(&pid) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !alive(&pid),
        "the cockpit must exit, not spin, when its terminal is gone"
    );
}

#[test]
fn the_mouse_is_captured_in_the_cockpit_released_after_a_quit_or_a_panic_and_never_with_no_mouse() {
    require_tmux();
    let dir = tempfile::tempdir().unwrap();
    // The config file of these runs (not the user's): a zone for the
    // header, the mouse at its default.
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "timezone = \"+01:00\"\n").unwrap();
    let env = format!(
        "OPSDECK_CONFIG={} OPSDECK_NOW=2026-11-24T09:00:00Z",
        cfg.display()
    );
    let seen = std::cell::RefCell::new(Vec::new());
    let (s, quit) = start_and_end("mouse-quit", &env, "", &|s, _| {
        seen.borrow_mut().push(mouse_flag(s));
        // The header's clock is the pinned clock, in the config's zone.
        let header = s.capture().lines().next().unwrap_or_default().to_string();
        seen.borrow_mut().push(header);
        send_q(s);
    });
    assert_restored(&quit);
    assert_eq!(seen.borrow()[0], "1", "captured while the cockpit runs");
    assert!(
        seen.borrow()[1].trim_end().ends_with(" 10:00 +01:00"),
        "the header: {:?}",
        seen.borrow()[1]
    );
    assert_eq!(mouse_flag(&s), "0", "released after q:\n{quit}");
    drop(s);

    seen.borrow_mut().clear();
    let panic_env = format!("{env} OPSDECK_DEBUG_PANIC_AFTER_MS=4000");
    let (s, panic) = start_and_end("mouse-panic", &panic_env, "", &|s, _| {
        seen.borrow_mut().push(mouse_flag(s));
    });
    assert_restored(&panic);
    assert!(panic.contains("debug panic requested"), "{panic}");
    assert_eq!(seen.borrow()[0], "1", "captured before the panic");
    assert_eq!(mouse_flag(&s), "0", "released after the panic:\n{panic}");
    drop(s);

    seen.borrow_mut().clear();
    let (s, off) = start_and_end("mouse-off", &env, "--no-mouse", &|s, _| {
        seen.borrow_mut().push(mouse_flag(s));
        send_q(s);
    });
    assert_restored(&off);
    assert_eq!(seen.borrow()[0], "0", "--no-mouse: never captured");
    drop(s);

    std::fs::write(&cfg, "mouse = false\n").unwrap();
    seen.borrow_mut().clear();
    let (_s, off) = start_and_end("mouse-cfg", &env, "", &|s, _| {
        seen.borrow_mut().push(mouse_flag(s));
        send_q(s);
    });
    assert_restored(&off);
    assert_eq!(seen.borrow()[0], "0", "mouse = false: never captured");
}
