//! `livesell classify`: the filter and intent stages on a JSONL file of comments.
use anyhow::{Context, Result};
use shared::domain::catalog::Catalog;
use shared::domain::intent::{classify, CatalogIndex};
use std::io::{BufRead, Write};
use std::path::Path;

pub fn run(catalog: &Path, comments: &Path) -> Result<()> {
    shared::telemetry::init("warn");
    let catalog: Catalog = serde_json::from_slice(&std::fs::read(catalog).with_context(|| format!("reading {}", catalog.display()))?)
        .with_context(|| format!("{} is not a catalog", catalog.display()))?;
    let index = CatalogIndex::new(&catalog);
    let file = std::fs::File::open(comments).with_context(|| format!("opening {}", comments.display()))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("line {} is not JSON", n + 1))?;
        let text = row.get("text").and_then(|t| t.as_str()).with_context(|| format!("line {} has no \"text\"", n + 1))?;
        let cls = classify(text, &index, catalog.current_product.as_deref());
        let mut v = serde_json::to_value(&cls)?;
        v["id"] = row.get("id").cloned().unwrap_or(serde_json::Value::Null);
        writeln!(out, "{v}")?;
    }
    out.flush()?;
    Ok(())
}
