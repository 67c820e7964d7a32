//! What travels inside a sealed batch or snapshot: JSON, deflate-compressed, then sealed
//! (crate::crypto). The server sees none of it.

use crate::merge::{Order, Stamp};
use crate::SyncError;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use uuid::Uuid;

/// Version of the payload format; a device refuses payloads of a newer one.
pub const FORMAT: u32 = 1;

/// Largest payload accepted after decompression (a batch holds at most a few thousand records;
/// a snapshot a whole vault).
pub const MAX_PAYLOAD_BYTES: u64 = 2 << 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordChange {
    pub entity: String,
    pub id: String,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Put(Vec<FieldChange>),
    Delete(Stamp),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum FieldChange {
    /// A whole field; `None` removes it.
    Reg { field: String, stamp: Stamp, value: Option<Value> },
    /// One element of a set field; `None` removes it.
    Elem { field: String, key: String, stamp: Stamp, order: Order, value: Option<Value> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub format: u32,
    pub changes: Vec<RecordChange>,
}

/// One record's synced state in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    pub entity: String,
    pub id: String,
    pub base: Option<Value>,
    pub clocks: crate::merge::Clocks,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// The server cursor the snapshot is the state at.
    pub cursor: i64,
    /// For each device, the last of its batches the snapshot contains.
    pub seqs: BTreeMap<Uuid, u64>,
    pub records: Vec<SnapshotRecord>,
}

pub fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, SyncError> {
    // serde_json writes in tiny pieces, and each write into the encoder costs a fixed setup:
    // unbuffered, that was ~70% of a first sync's push in the 2026-12-06 profile
    // (docs/benchmarks.md). The buffer keeps the stream (no whole-JSON copy for snapshots).
    let z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, z);
    serde_json::to_writer(&mut w, v).map_err(|e| SyncError::Payload(e.to_string()))?;
    let z = w.into_inner().map_err(|e| SyncError::Payload(e.error().to_string()))?;
    z.finish().map_err(|e| SyncError::Payload(e.to_string()))
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, SyncError> {
    let mut json = Vec::new();
    flate2::read::DeflateDecoder::new(bytes)
        .take(MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|e| SyncError::Payload(format!("{what}: not a compressed payload ({e})")))?;
    if json.len() as u64 > MAX_PAYLOAD_BYTES {
        return Err(SyncError::Payload(format!("{what}: larger than {MAX_PAYLOAD_BYTES} bytes unpacked")));
    }
    let mut de = serde_json::Deserializer::from_slice(&json);
    // Records hold deep raw GEDCOM structures (see kinvault-vault from_json); we sealed it.
    de.disable_recursion_limit();
    let v = T::deserialize(&mut de).map_err(|e| SyncError::Payload(format!("{what}: {e}")))?;
    Ok(v)
}

/// Checks the format field before the rest is trusted.
pub fn check_format(format: u32, what: &str) -> Result<(), SyncError> {
    if format > FORMAT {
        return Err(SyncError::Payload(format!(
            "{what} uses sync format {format}; this version of Kinvault reads up to {FORMAT} — update the app"
        )));
    }
    Ok(())
}
