//! `hemi serve`: run the web app and JSON API until Ctrl-C or SIGTERM. The binary owns
//! the process concerns: logging (RUST_LOG), the listening socket, the signals.

use std::net::SocketAddr;

use hemi_app::App;
use hemi_server::{AppState, ServerConfig};
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

/// Listen on `address`; a taken port says what to do.
pub async fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("{address} is in use — is another `hemi serve` running? pass --bind")
        } else {
            anyhow::anyhow!("cannot listen on {address}: {e}")
        }
    })
}

/// Logs on stderr, filtered by RUST_LOG (default: info, sqlx warnings only).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Serve `app` on `listener` until Ctrl-C or SIGTERM, then finish the requests in flight.
pub async fn run(app: App, listener: TcpListener, args: &ServeArgs) -> anyhow::Result<()> {
    let config = ServerConfig {
        tls: args.tls,
        suppression_threshold: args.suppression_threshold,
        ..ServerConfig::default()
    };
    serve_with(app, listener, config).await
}

/// Serve with a configuration (the demo serves with the defaults).
pub async fn serve_with(
    app: App,
    listener: TcpListener,
    config: ServerConfig,
) -> anyhow::Result<()> {
    init_tracing();
    let key = hemi_server::login_key(&app).await?;
    let address = listener.local_addr()?;
    let store = app.store().clone();
    let state = AppState::new(app, config, &key);
    eprintln!("Hemisphere is serving on http://{address}/ (Ctrl-C to stop)");
    let result = hemi_server::serve(state, listener, shutdown_signal()).await;
    // Flush the SQLite WAL on the way out.
    store.close().await;
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    eprintln!("stopping: finishing the requests in flight");
}
