//! Each function binary, started as Lambda starts it but without the environment the template
//! gives it, stops at once and names what is missing, instead of serving half-configured.
//! (Being an integration test also makes cargo build the binary itself, which the end-to-end
//! test in `tests/aws.rs` runs under `cargo lambda watch`.)

use std::process::Command;

const BIN: &str = env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")));

#[test]
fn without_its_environment_it_stops_naming_the_variable() {
    let out = Command::new(BIN)
        .env_remove("DATAFACTORY_BUCKET")
        .env_remove("DATAFACTORY_TABLE")
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .output()
        .expect("the function binary runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DATAFACTORY_BUCKET"),
        "{} names the missing variable: {err}",
        env!("CARGO_PKG_NAME")
    );
}
