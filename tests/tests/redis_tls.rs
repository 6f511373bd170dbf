//! Redis Streams over TLS (`rediss://`, as Lambda reaches Upstash): a real redis-server with a TLS
//! port and a certificate from a throwaway CA, the adapter trusting that CA.
use shared::adapters::redis_streams::RedisEventStream;
use shared::ports::EventStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl is installed");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn streams_work_over_tls_with_the_servers_ca_trusted() {
    let dir = std::env::temp_dir().join(testkit::unique("redis-tls"));
    std::fs::create_dir_all(&dir).expect("dir");
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=livesell test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(&dir, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let _server = Server(
        Command::new("redis-server")
            .args(["--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--tls-cert-file", "server.crt", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt"])
            .args(["--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir"])
            .arg(&dir)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not open its TLS port");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ca = std::fs::read(dir.join("ca.crt")).expect("ca");
    let url = format!("rediss://127.0.0.1:{port}");
    // Without the CA the handshake must fail: the certificate is not publicly trusted.
    assert!(RedisEventStream::connect(&url).await.is_err(), "an untrusted certificate was accepted");
    let stream = RedisEventStream::connect_with_ca(&url, Some(ca)).await.expect("TLS connection");
    stream.ping().await.expect("ping over TLS");
    stream.ensure_group("tls:comments", "filter").await.expect("group");
    stream.append("tls:comments", "{\"n\":1}").await.expect("append");
    let got = stream.read_new("tls:comments", "filter", "c", 10, Some(Duration::from_millis(500))).await.expect("read");
    assert_eq!(got.len(), 1);
    stream.ack("tls:comments", "filter", &got[0].id).await.expect("ack");
    assert_eq!(stream.backlog("tls:comments", "filter").await.expect("backlog").pending, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
