//! The embedded Flux schemas (`schemas/flux.json.zst`, written by hand from the Flux API
//! reference: see `scripts/flux_schemas.py`), one per (apiVersion, kind), compiled on first use.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::{LazySchema, Origin};

static BUNDLE: &[u8] = include_bytes!("../../schemas/flux.json.zst");

type Table = HashMap<(String, String), Arc<LazySchema>>;
static STRICT: OnceLock<Table> = OnceLock::new();
static LOOSE: OnceLock<Table> = OnceLock::new();

/// The decoded bundle: `{"<apiVersion>/<Kind>": schema, …}`.
pub fn documents() -> Result<serde_json::Map<String, Value>, String> {
    let mut input = BUNDLE;
    let mut decoder = ruzstd::decoding::StreamingDecoder::new(&mut input)
        .map_err(|e| format!("flux schemas: {e}"))?;
    let mut text = String::new();
    decoder
        .read_to_string(&mut text)
        .map_err(|e| format!("flux schemas: {e}"))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("flux schemas: not a mapping".to_owned()),
        Err(e) => Err(format!("flux schemas: {e}")),
    }
}

fn table(strict: bool) -> Table {
    let mut out = Table::new();
    for (key, mut schema) in documents().unwrap_or_default() {
        let Some((api_version, kind)) = key.rsplit_once('/') else {
            continue;
        };
        if !strict {
            super::loosen(&mut schema);
        }
        out.insert(
            (api_version.to_owned(), kind.to_owned()),
            Arc::new(LazySchema::new(Origin::Flux, schema)),
        );
    }
    out
}

/// The embedded schema of a Flux kind, if there is one.
pub fn schema(api_version: &str, kind: &str, strict: bool) -> Option<Arc<LazySchema>> {
    if !api_version.contains(".toolkit.fluxcd.io/") {
        return None;
    }
    let cell = if strict { &STRICT } else { &LOOSE };
    cell.get_or_init(|| table(strict))
        .get(&(api_version.to_owned(), kind.to_owned()))
        .cloned()
}

/// Every embedded (apiVersion, kind).
pub fn kinds() -> Vec<(String, String)> {
    let mut v: Vec<_> = STRICT.get_or_init(|| table(true)).keys().cloned().collect();
    v.sort();
    v
}
