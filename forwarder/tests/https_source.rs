//! The forwarder polling a real agent that serves HTTPS with authentication:
//! the agent's certificate is signed by a throwaway CA (openssl) given as
//! SYSTEM_STATS_SOURCE_CA_FILE; basic auth (password from its `_FILE`
//! twin) and a bearer token (from a systemd credential) both get samples
//! delivered; a wrong password gets none, and neither the password nor the
//! agent's credentials reach the destination or the environment.
//! Needs the agent binary beside the forwarder's (`cargo test --workspace`).

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::*;

const PASSWORD: &str = "agent-pa55word";
const TOKEN: &str = "agent-t0ken";

fn openssl(dir: &Path, args: &str) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args.split(' '))
        .output()
        .expect("run openssl (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// ca.pem, cert.pem and key.pem (for 127.0.0.1) in `dir`.
fn certificates(dir: &Path) {
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    openssl(
        dir,
        &format!("req -x509 {ec} -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem"),
    );
    openssl(
        dir,
        &format!("req {ec} -subj /CN=agent -keyout key.pem -out agent.csr"),
    );
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        "x509 -req -in agent.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out cert.pem",
    );
}

struct Agent {
    child: Child,
    url: String,
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent_bin() -> PathBuf {
    let bin = Path::new(BIN).with_file_name("system-stats-service");
    assert!(
        bin.is_file(),
        "{} missing: run cargo test --workspace",
        bin.display()
    );
    bin
}

/// The real agent with TLS, the users file and the token.
fn start_agent(dir: &Path) -> Agent {
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    std::fs::write(dir.join("users"), format!("forwarder:{hash}\n")).unwrap();
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let mut child = Command::new(agent_bin())
        .env_clear()
        .env("SYSTEM_STATS_HOST", "127.0.0.1")
        .env("SYSTEM_STATS_PORT", "0")
        .env("SYSTEM_STATS_LOG_FORMAT", "text")
        .env("SYSTEM_STATS_TLS_CERT_FILE", p("cert.pem"))
        .env("SYSTEM_STATS_TLS_KEY_FILE", p("key.pem"))
        .env("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", p("users"))
        .env("SYSTEM_STATS_AUTH_TOKEN_FILE", p("token"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agent");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("agent started");
    Agent {
        child,
        url: format!("https://{addr}/system"),
    }
}

fn forwarder(
    agent: &Agent,
    receiver: &Receiver,
    spool: &Path,
    extra: &[(&str, String)],
) -> Forwarder {
    let receiver_url = receiver.url();
    let mut env = base_env(&agent.url, &receiver_url, spool);
    env.extend(extra.iter().cloned());
    Forwarder::spawn(&env)
}

#[test]
fn polls_an_https_agent_with_basic_auth_or_a_token() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let agent = start_agent(dir.path());
    let ca = (
        "SYSTEM_STATS_SOURCE_CA_FILE",
        dir.path().join("ca.pem").display().to_string(),
    );
    std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();

    // basic auth, the password from its file twin
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let fwd = forwarder(
        &agent,
        &receiver,
        spool.path(),
        &[
            ca.clone(),
            ("SYSTEM_STATS_SOURCE_USERNAME", "forwarder".into()),
            (
                "SYSTEM_STATS_SOURCE_PASSWORD_FILE",
                dir.path().join("password").display().to_string(),
            ),
        ],
    );
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 2),
        "{}",
        fwd.log()
    );
    let post = &receiver.accepted()[0];
    assert!(post.body.to_string().contains("memory"), "{}", post.body);
    assert_eq!(
        post.authorization, None,
        "the agent's credentials went to the destination"
    );
    let environ = std::fs::read(format!("/proc/{}/environ", fwd.pid())).unwrap();
    assert!(!String::from_utf8_lossy(&environ).contains(PASSWORD));
    assert!(!fwd.log().contains(PASSWORD));
    drop(fwd);

    // the bearer token from a systemd credential
    let creds = tempfile::tempdir().unwrap();
    std::fs::write(creds.path().join("SYSTEM_STATS_SOURCE_TOKEN"), TOKEN).unwrap();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let fwd = forwarder(
        &agent,
        &receiver,
        spool.path(),
        &[
            ca.clone(),
            ("CREDENTIALS_DIRECTORY", creds.path().display().to_string()),
        ],
    );
    assert!(
        wait_until(LONG, || !receiver.accepted().is_empty()),
        "{}",
        fwd.log()
    );
    drop(fwd);

    // a wrong password: nothing delivered, the 401 logged
    std::fs::write(dir.path().join("password"), "wrong\n").unwrap();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let fwd = forwarder(
        &agent,
        &receiver,
        spool.path(),
        &[
            ca,
            ("SYSTEM_STATS_SOURCE_USERNAME", "forwarder".into()),
            (
                "SYSTEM_STATS_SOURCE_PASSWORD_FILE",
                dir.path().join("password").display().to_string(),
            ),
        ],
    );
    assert!(
        wait_until(LONG, || fwd.log().contains("401")),
        "{}",
        fwd.log()
    );
    assert!(receiver.accepted().is_empty());

    // without the CA file the agent's certificate is not trusted
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let fwd = forwarder(
        &agent,
        &receiver,
        spool.path(),
        &[("SYSTEM_STATS_SOURCE_TOKEN", TOKEN.into())],
    );
    assert!(
        wait_until(LONG, || fwd.log().contains("unreachable")),
        "{}",
        fwd.log()
    );
    assert!(receiver.accepted().is_empty());
}
