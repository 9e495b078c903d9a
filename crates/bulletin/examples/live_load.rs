//! Load generator for live updates (`bench/live.sh`): holds N Server-Sent
//! Event streams open on `/api/v1/events` and measures, for every newsroom
//! update that arrives, the time from its publication (`published_at`, set
//! by the server just before the item is written, on the same clock) to its
//! arrival at each client.
//!
//!   live_load ADDR CLIENTS EVENTS [TIMEOUT_SECONDS]
//!
//! Connects CLIENTS streams to ADDR (`127.0.0.1:8080`), spread over several
//! loopback addresses when given as a comma-separated list, waits for each
//! stream's `ready` event, prints a line, then waits until every client has
//! seen EVENTS updates (or the timeout) and prints the latencies as JSON:
//! p50, p99 and max over all (client, event) pairs, and p99 per event of
//! the time until the last client had it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What every client saw: per update (by item id), each client's latency
/// in milliseconds.
type Seen = Arc<Mutex<HashMap<i64, Vec<f64>>>>;

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Reads `"field":"…"` or `"field":123` out of a JSON text.
fn field<'a>(json: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("\"{name}\":");
    let start = json.find(&key)? + key.len();
    let rest = &json[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next()
    } else {
        rest.split([',', '}']).next()
    }
}

/// Removes HTTP/1.1 chunk framing from `raw` (from the body's start) as far
/// as complete chunks go; returns the bytes consumed.
fn dechunk(raw: &[u8], out: &mut Vec<u8>) -> usize {
    let mut at = 0;
    loop {
        let Some(line_end) = raw[at..].windows(2).position(|w| w == b"\r\n") else {
            return at;
        };
        let size_text = String::from_utf8_lossy(&raw[at..at + line_end]);
        let Ok(size) = usize::from_str_radix(size_text.trim().split(';').next().unwrap_or(""), 16)
        else {
            return at;
        };
        let data_start = at + line_end + 2;
        if raw.len() < data_start + size + 2 {
            return at;
        }
        out.extend_from_slice(&raw[data_start..data_start + size]);
        at = data_start + size + 2;
    }
}

async fn client(
    addr: String,
    ready: tokio::sync::mpsc::Sender<()>,
    seen: Seen,
) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(&addr).await?;
    stream
        .write_all(
            format!(
                "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut raw = Vec::new();
    let mut body = Vec::new();
    let mut headers_done = false;
    let mut buf = vec![0u8; 16 * 1024];
    let mut event = String::new();
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let arrived = now_ms();
        raw.extend_from_slice(&buf[..n]);
        if !headers_done {
            let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            raw.drain(..end + 4);
            headers_done = true;
        }
        let used = dechunk(&raw, &mut body);
        raw.drain(..used);
        // Whole lines only.
        while let Some(nl) = body.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = body.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_string();
                if name == "ready" {
                    let _ = ready.send(()).await;
                }
            } else if let Some(data) = line.strip_prefix("data: ") {
                if event == "item" && field(data, "kind") == Some("update") {
                    let id = field(data, "id").and_then(|v| v.parse::<i64>().ok());
                    let published = field(data, "published_at")
                        .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
                        .map(|p| p.timestamp_millis() as f64);
                    if let (Some(id), Some(published)) = (id, published) {
                        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                        seen.entry(id).or_default().push(arrived - published);
                    }
                }
            } else if line.is_empty() {
                event.clear();
            }
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: live_load ADDR[,ADDR…] CLIENTS EVENTS [TIMEOUT_SECONDS]");
        std::process::exit(2);
    }
    let addrs: Vec<String> = args[1].split(',').map(str::to_string).collect();
    let clients: usize = args[2].parse().expect("CLIENTS is a number");
    let events: usize = args[3].parse().expect("EVENTS is a number");
    let timeout = Duration::from_secs(args.get(4).and_then(|t| t.parse().ok()).unwrap_or(120));
    let seen: Seen = Arc::default();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(clients.max(1));
    let started = Instant::now();
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for n in 0..clients {
        let addr = addrs[n % addrs.len()].clone();
        let (ready, seen, failures) = (ready_tx.clone(), seen.clone(), failures.clone());
        tokio::spawn(async move {
            if let Err(e) = client(addr, ready, seen).await
                && failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0
            {
                eprintln!("a client failed: {e}");
            }
        });
        // Connect at a steady pace, not all in one burst of SYNs.
        if n % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    drop(ready_tx);
    let mut connected = 0;
    while connected < clients {
        match tokio::time::timeout(timeout, ready_rx.recv()).await {
            Ok(Some(())) => connected += 1,
            _ => break,
        }
    }
    println!(
        "{{\"connected\": {connected}, \"connect_seconds\": {:.2}, \"failed\": {}}}",
        started.elapsed().as_secs_f64(),
        failures.load(std::sync::atomic::Ordering::Relaxed)
    );
    // Keep the output flowing when piped: the script waits for this line.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let deadline = Instant::now() + timeout;
    // An update counts once every connected client has it.
    let first_complete =
        |seen: &HashMap<i64, Vec<f64>>| seen.values().filter(|v| v.len() >= connected).count();
    // Only updates published after every client was connected are counted.
    let baseline: std::collections::HashSet<i64> = seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .keys()
        .copied()
        .collect();
    loop {
        let done = {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let counted: HashMap<i64, Vec<f64>> = seen
                .iter()
                .filter(|(id, _)| !baseline.contains(id))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            first_complete(&counted) >= events
        };
        if done || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let stragglers arrive for the last counted update.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    let mut ids: Vec<i64> = seen
        .keys()
        .filter(|id| !baseline.contains(id))
        .copied()
        .collect();
    ids.sort();
    ids.truncate(events);
    let mut all: Vec<f64> = Vec::new();
    let mut last_client: Vec<f64> = Vec::new();
    let mut missing = 0;
    for id in &ids {
        let latencies = &seen[id];
        missing += connected.saturating_sub(latencies.len());
        all.extend(latencies.iter().copied());
        last_client.push(latencies.iter().copied().fold(f64::MIN, f64::max));
    }
    all.sort_by(f64::total_cmp);
    last_client.sort_by(f64::total_cmp);
    println!(
        "{{\"clients\": {connected}, \"events\": {}, \"deliveries\": {}, \"missing\": {missing}, \
         \"p50_ms\": {:.1}, \"p99_ms\": {:.1}, \"max_ms\": {:.1}, \"all_clients_p99_ms\": {:.1}}}",
        ids.len(),
        all.len(),
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(f64::NAN),
        percentile(&last_client, 99.0),
    );
}
