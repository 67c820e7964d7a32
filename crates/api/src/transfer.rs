//! GEDCOM in and out of the vault.
//!
//! - [`import_gedcom`]: a `.ged` file or a GEDZIP (`.gdz`, recognised by its zip signature),
//!   read twice with one record in memory at a time (the first pass learns the xrefs, see
//!   `kinvault_interop::gedcom::Prescan`), stored in ONE vault transaction: a failure or a
//!   cancel leaves the vault exactly as it was.
//! - [`export_gedcom`]: GEDCOM 5.5.1, 7.0 or GEDZIP, streamed from the vault into a temporary
//!   file next to the target, renamed into place when complete. Living people and health data
//!   are left out unless the request asks for them.
//!
//! Both report progress through [`Progress`]; returning `false` cancels (error kind
//! `cancelled`).

use crate::{
    ApiError, ErrorKind, ExportFormat, ExportReport, ExportRequest, ImportReport, ImportWarning, ProgressPhase, Result,
};
use kinvault_gedcom::{gedzip, ReadOptions, Reader, WarningKind, Writer};
use kinvault_interop::gedcom::{ExportOptions, Exporter, ImportCounts, Importer, Mapped, Prescan, WriteVersion};
use kinvault_vault::{NewRecord, Vault, VaultError};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Reports progress of a long operation; returning `false` cancels it.
pub trait Progress {
    fn update(&self, phase: ProgressPhase, done: u64, total: u64) -> bool;
}

impl<F: Fn(ProgressPhase, u64, u64) -> bool> Progress for F {
    fn update(&self, phase: ProgressPhase, done: u64, total: u64) -> bool {
        self(phase, done, total)
    }
}

/// No progress reporting, never cancels.
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _: ProgressPhase, _: u64, _: u64) -> bool {
        true
    }
}

/// At most this many warnings are reported (a badly damaged file could have millions).
pub const MAX_WARNINGS: usize = 10_000;

/// Progress is reported every this many records.
const PROGRESS_EVERY: u64 = 256;

enum Input {
    File(PathBuf),
    Memory(Vec<u8>),
}

impl Input {
    fn open(&self) -> std::io::Result<Box<dyn BufRead + Send + '_>> {
        Ok(match self {
            Input::File(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
            Input::Memory(b) => Box::new(&b[..]),
        })
    }

    fn len(&self) -> u64 {
        match self {
            Input::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Input::Memory(b) => b.len() as u64,
        }
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> ApiError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound { ErrorKind::NotFound } else { ErrorKind::Io };
    ApiError::new(kind, format!("cannot {what} {}: {e}", path.display()))
}

fn read_error(path: &Path, e: kinvault_gedcom::Error) -> ApiError {
    match e {
        kinvault_gedcom::Error::Io { source, .. } => io_error("read", path, source),
        other => ApiError::invalid(format!("cannot import {}: {other}", path.display())),
    }
}

/// Warnings in file order, capped at [`MAX_WARNINGS`].
#[derive(Default)]
struct Warnings {
    kept: Vec<ImportWarning>,
    dropped: u64,
}

impl Warnings {
    fn push(&mut self, line: Option<u32>, message: String) {
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(ImportWarning { line, message });
        } else {
            self.dropped += 1;
        }
    }

    fn take<R: BufRead>(&mut self, reader: &mut Reader<R>, importer: &mut Importer) {
        for w in reader.take_warnings() {
            self.push((w.line > 0).then_some(w.line), w.message);
        }
        for w in importer.take_warnings() {
            self.push(w.line, w.message);
        }
    }

    /// Adds `later`'s warnings after these, as if they had been pushed here.
    fn append(&mut self, later: Warnings) {
        for w in later.kept {
            self.push(w.line, w.message);
        }
        self.dropped += later.dropped;
    }

    fn finish(mut self) -> Vec<ImportWarning> {
        // Reader and mapping warnings arrive in two streams: interleave them by line (warnings
        // about the whole file last).
        self.kept.sort_by_key(|w| w.line.unwrap_or(u32::MAX));
        if self.dropped > 0 {
            self.kept.push(ImportWarning { line: None, message: format!("… and {} more warnings", self.dropped) });
        }
        self.kept
    }
}

fn count(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Imports a GEDCOM file or GEDZIP archive into the vault, in one transaction.
pub fn import_gedcom(vault: &mut Vault, path: &Path, progress: &dyn Progress) -> Result<ImportReport> {
    let mut file = File::open(path).map_err(|e| io_error("read", path, e))?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(|e| io_error("read", path, e))?;
    let is_zip = n == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06");
    let bad_zip = |e: gedzip::GedzipError| ApiError::invalid(format!("cannot import {}: {e}", path.display()));
    let (input, format, mut archive) = if is_zip {
        file.rewind().map_err(|e| io_error("read", path, e))?;
        let mut archive = gedzip::open(BufReader::new(file)).map_err(bad_zip)?;
        let bytes = archive.gedcom_bytes().map_err(bad_zip)?;
        (Input::Memory(bytes), "gedzip", Some(archive))
    } else {
        drop(file);
        (Input::File(path.to_path_buf()), "gedcom", None)
    };
    let open = |check_xrefs: bool| -> Result<Reader<Box<dyn BufRead + Send + '_>>> {
        let source = input.open().map_err(|e| io_error("read", path, e))?;
        Reader::with_options(source, ReadOptions { check_xrefs }).map_err(|e| read_error(path, e))
    };

    // Pass 1: xrefs and the links individuals declare. The reader checks xrefs here (duplicates,
    // dangling pointers) and only here: its table is gone before pass 2 fills the page cache.
    // Its other warnings come again in pass 2, in order with the mapping's.
    let size = input.len();
    let mut reader = open(true)?;
    let mut scan = Prescan::new();
    let mut warnings = Warnings::default();
    let keep_xref_warnings = |reader: &mut Reader<_>, warnings: &mut Warnings| {
        for w in reader.take_warnings() {
            if matches!(w.kind, WarningKind::DuplicateXref | WarningKind::DanglingPointer) {
                warnings.push((w.line > 0).then_some(w.line), w.message);
            }
        }
    };
    let mut next_report = PROGRESS_EVERY;
    while let Some(record) = reader.next_record().map_err(|e| read_error(path, e))? {
        scan.record(&record);
        if scan.records() >= next_report {
            next_report += PROGRESS_EVERY;
            keep_xref_warnings(&mut reader, &mut warnings);
            if !progress.update(ProgressPhase::Reading, reader.bytes_read().min(size), size) {
                return Err(ApiError::cancelled());
            }
        }
    }
    keep_xref_warnings(&mut reader, &mut warnings);
    drop(reader);
    let total = scan.records();
    if !progress.update(ProgressPhase::Reading, size, size) {
        return Err(ApiError::cancelled());
    }

    // Pass 2: one thread reads, maps and encodes the records (`NewRecord`: the stored JSON and
    // columns) while this one stores them, all in one transaction. The channel holds a few
    // batches, so memory stays flat; when storing stops (cancel, error), the channel closes and
    // the mapping thread stops at its next batch.
    let importer = scan.into_importer();
    let reader = open(false)?;
    let version = reader.version().to_string();
    let encoding = reader.encoding().name().to_string();
    let mut media_files = 0u64;
    let mut failure: Option<ApiError> = None;
    let mut stop = |why: ApiError| {
        failure = Some(why);
        VaultError::Invalid("import stopped".into())
    };
    let mut counts = ImportCounts::default();
    let stored = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
        let mapper = scope.spawn(move || map_records(reader, importer, path, send));
        vault.write_bulk(|tx| {
            let (mut done, mut next_report) = (0u64, PROGRESS_EVERY);
            for batch in receive.iter() {
                // Every record has an id generated by this import (see `Prescan`): inserted
                // without looking for a stored version first (an existing id is an error).
                for record in &batch.records {
                    tx.insert_new(record)?;
                }
                done += batch.read;
                if done >= next_report {
                    next_report = done + PROGRESS_EVERY;
                    if !progress.update(ProgressPhase::Importing, done, total) {
                        return Err(stop(ApiError::cancelled()));
                    }
                }
            }
            // The channel is closed: the mapping thread has finished, or failed.
            let mapped = mapper
                .join()
                .map_err(|_| stop(ApiError::new(ErrorKind::Internal, "the GEDCOM mapping thread panicked")))?;
            let (outcome, mapped_counts, mapping_warnings) = mapped;
            outcome.map_err(&mut stop)?;
            counts = mapped_counts;
            warnings.append(mapping_warnings);
            // GEDZIP media, one file in memory at a time, in the same transaction.
            if let Some(archive) = archive.as_mut() {
                let names: Vec<String> = archive.media().map(|m| m.name.clone()).collect();
                for (i, name) in names.iter().enumerate() {
                    if !progress.update(ProgressPhase::Media, i as u64, names.len() as u64) {
                        return Err(stop(ApiError::cancelled()));
                    }
                    let bytes = match archive.media_bytes(name) {
                        Ok(b) => b,
                        Err(e) => {
                            warnings.push(None, format!("media file {name:?} could not be read and was skipped: {e}"));
                            continue;
                        }
                    };
                    if tx.put_media_blob(name, &bytes)? {
                        media_files += 1;
                    } else {
                        warnings.push(
                            None,
                            format!("a different media file {name:?} is already in the vault; the stored one was kept"),
                        );
                    }
                }
            }
            if !progress.update(ProgressPhase::Checking, 0, 1) {
                return Err(stop(ApiError::cancelled()));
            }
            // The prescan keeps pointers to nothing out of families; this is the safety net.
            for w in tx.remove_dangling_family_members()? {
                warnings.push(None, w);
            }
            if !progress.update(ProgressPhase::Checking, 1, 1) {
                return Err(stop(ApiError::cancelled()));
            }
            Ok(())
        })
    });
    if let Err(e) = stored {
        return Err(failure.unwrap_or_else(|| e.into()));
    }
    let c = counts;
    tracing::info!(records = total, "GEDCOM imported");
    Ok(ImportReport {
        format: format.to_string(),
        version,
        encoding,
        individuals: count(c.individuals),
        families: count(c.families),
        sources: count(c.sources),
        media: count(c.media),
        media_files: count(media_files),
        other_records: count(c.other_records),
        health_observations: count(c.health_observations),
        warnings: warnings.finish(),
    })
}

/// Records the mapping thread hands to the storing one.
struct Batch {
    /// Records read from the file (some map to nothing), for progress.
    read: u64,
    records: Vec<NewRecord>,
}

/// Pass 2's mapping thread: reads every record, maps it and encodes it for the vault, and sends
/// the results in batches of [`PROGRESS_EVERY`] records until the file ends or the storing side
/// hangs up. Returns how it ended, the counts and its warnings (in file order, capped).
fn map_records<R: BufRead>(
    mut reader: Reader<R>,
    mut importer: Importer,
    path: &Path,
    send: std::sync::mpsc::SyncSender<Batch>,
) -> (Result<()>, ImportCounts, Warnings) {
    let mut warnings = Warnings::default();
    let mut batch = Batch { read: 0, records: Vec::with_capacity(PROGRESS_EVERY as usize) };
    let outcome = (|| -> Result<()> {
        while let Some(record) = reader.next_record().map_err(|e| read_error(path, e))? {
            let new = match importer.map(&record) {
                Some(Mapped::Person(p)) => Some(NewRecord::person(&p)?),
                Some(Mapped::Family(f)) => Some(NewRecord::family(&f)?),
                Some(Mapped::Source(s)) => Some(NewRecord::source(&s)?),
                Some(Mapped::Raw(r)) => Some(NewRecord::raw_record(&r)?),
                None => None,
            };
            batch.records.extend(new);
            batch.read += 1;
            if batch.read >= PROGRESS_EVERY {
                warnings.take(&mut reader, &mut importer);
                let full = std::mem::replace(
                    &mut batch,
                    Batch { read: 0, records: Vec::with_capacity(PROGRESS_EVERY as usize) },
                );
                if send.send(full).is_err() {
                    // Storing stopped; it knows why.
                    return Ok(());
                }
            }
        }
        warnings.take(&mut reader, &mut importer);
        let _ = send.send(batch);
        Ok(())
    })();
    (outcome, importer.counts(), warnings)
}

/// The current year (UTC), for the "may be living" rule.
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    year_of_day(secs as i64 / 86_400) as i32
}

/// Gregorian year of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn year_of_day(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

/// Exports the vault to GEDCOM 5.5.1, 7.0 or GEDZIP.
pub fn export_gedcom(vault: &Vault, req: &ExportRequest, progress: &dyn Progress) -> Result<ExportReport> {
    let path = PathBuf::from(req.path.trim());
    if req.path.trim().is_empty() {
        return Err(ApiError::invalid("choose a file to export to"));
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(&path, vault.path()) {
        return Err(ApiError::invalid("refusing to export over the vault itself; choose another file"));
    }
    let version = if req.format == ExportFormat::Gedcom551 { WriteVersion::V5_5_1 } else { WriteVersion::V7_0 };
    let mut options = ExportOptions::new(version, current_year());
    options.include_living = req.include_living;
    options.include_health = req.include_health;
    let mut ex = Exporter::new(options);
    let stats = vault.stats()?;
    let total = stats.individuals + stats.families + stats.sources + stats.raw_records;

    let cancelled = std::cell::Cell::new(false);
    // Counts records per phase (scanning, then exporting).
    let done = std::cell::Cell::new((ProgressPhase::Scanning, 0u64));
    let mut tick = |phase: ProgressPhase| -> kinvault_vault::Result<()> {
        let n = if done.get().0 == phase { done.get().1 + 1 } else { 1 };
        done.set((phase, n));
        // PROGRESS_EVERY is a power of two.
        if n & (PROGRESS_EVERY - 1) == 0 && !progress.update(phase, n, total) {
            cancelled.set(true);
            return Err(VaultError::Invalid("cancelled".into()));
        }
        Ok(())
    };
    let outcome = (|| -> kinvault_vault::Result<()> {
        vault.for_each_person(|p| {
            ex.scan_person(&p);
            tick(ProgressPhase::Scanning)
        })?;
        vault.for_each_family(|f| {
            ex.scan_family(&f);
            tick(ProgressPhase::Scanning)
        })?;
        vault.for_each_source(|s| {
            ex.scan_source(&s);
            tick(ProgressPhase::Scanning)
        })?;
        vault.for_each_raw_record(|r| {
            ex.scan_raw_record(&r);
            tick(ProgressPhase::Scanning)
        })
    })();
    if let Err(e) = outcome {
        return Err(if cancelled.get() { ApiError::cancelled() } else { e.into() });
    }
    ex.prepare();

    // Into a temporary file beside the target, renamed when complete: a failed or cancelled
    // export leaves no half-written file (and an existing one untouched until the end).
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.kinvault-partial"));
    let mut media_written = 0u64;
    let written = (|| -> kinvault_vault::Result<()> {
        let file = File::create(&tmp)?;
        let file = if req.format == ExportFormat::Gedzip {
            let mut ged = Vec::new();
            let mut files = BTreeSet::new();
            write_gedcom(vault, &mut ex, &mut ged, &mut tick, Some(&mut files))?;
            let zip_error = |e: gedzip::GedzipError| VaultError::Io(std::io::Error::other(e.to_string()));
            let mut zip = gedzip::GedzipWriter::new(BufWriter::new(file));
            // Only the media files the written records refer to: a living person's photo stays
            // home with them.
            let mut added = BTreeSet::new();
            for reference in &files {
                let name = media_name(reference);
                if added.contains(&name) {
                    continue;
                }
                if let Some(bytes) = vault.media_blob(&name)? {
                    match zip.add_media(&name, &mut &bytes[..]) {
                        Ok(()) => {
                            added.insert(name);
                        }
                        Err(gedzip::GedzipError::InvalidName(_)) => {}
                        Err(e) => return Err(zip_error(e)),
                    }
                }
            }
            media_written = added.len() as u64;
            let out = zip.finish(&ged).map_err(zip_error)?;
            out.into_inner().map_err(|e| VaultError::Io(e.into_error()))?
        } else {
            let mut out = BufWriter::with_capacity(1 << 16, file);
            write_gedcom(vault, &mut ex, &mut out, &mut tick, None)?;
            out.into_inner().map_err(|e| VaultError::Io(e.into_error()))?
        };
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(match e {
            _ if cancelled.get() => ApiError::cancelled(),
            VaultError::Io(io) => io_error("write", &path, io),
            other => other.into(),
        });
    }
    progress.update(ProgressPhase::Exporting, total, total);
    let c = ex.counts();
    tracing::info!("GEDCOM exported");
    Ok(ExportReport {
        path: path.display().to_string(),
        format: req.format,
        individuals: count(c.individuals),
        families: count(c.families),
        sources: count(c.sources),
        other_records: count(c.other_records),
        media: count(c.media),
        living_excluded: count(c.living_excluded),
        health_excluded: count(c.health_excluded),
        records_excluded: count(c.records_excluded),
        media_files: count(media_written),
        bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
    })
}

type Tick<'a> = &'a mut dyn FnMut(ProgressPhase) -> kinvault_vault::Result<()>;

/// The archive entry a `FILE` reference names: percent-decoded (it is a URI reference), without
/// a leading `./`.
fn media_name(reference: &str) -> String {
    let bytes = reference.trim().as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let name = String::from_utf8_lossy(&out).into_owned();
    name.strip_prefix("./").map(str::to_string).unwrap_or(name)
}

/// Pass 2 of an export: every record through the exporter into the writer.
/// `files` collects the `FILE` references written (for GEDZIP media).
fn write_gedcom(
    vault: &Vault,
    ex: &mut Exporter,
    out: &mut dyn Write,
    tick: Tick<'_>,
    mut files: Option<&mut BTreeSet<String>>,
) -> kinvault_vault::Result<()> {
    let mut w = Writer::new(out, Some(&ex.header()), ex.write_options())?;
    let mut put = |n: Option<kinvault_gedcom::Node>| -> kinvault_vault::Result<()> {
        if let Some(n) = n {
            if let Some(files) = files.as_deref_mut() {
                // FILE, and the FILE.TRAN alternates (transcoded versions) of GEDCOM 7.
                for (file, _) in n.descendants().filter(|(d, _)| d.tag == "FILE") {
                    let alternates = file.children.iter().filter(|c| c.tag == "TRAN");
                    files.extend(std::iter::once(file).chain(alternates).filter_map(|d| d.text().map(str::to_string)));
                }
            }
            w.write_record(&n)?;
        }
        Ok(())
    };
    vault.for_each_person(|p| {
        put(ex.person(&p))?;
        tick(ProgressPhase::Exporting)
    })?;
    vault.for_each_family(|f| {
        put(ex.family(&f))?;
        tick(ProgressPhase::Exporting)
    })?;
    vault.for_each_source(|s| {
        put(Some(ex.source(&s)))?;
        tick(ProgressPhase::Exporting)
    })?;
    vault.for_each_raw_record(|r| {
        put(ex.raw_record(&r))?;
        tick(ProgressPhase::Exporting)
    })?;
    for n in ex.trailing_records() {
        put(Some(n))?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names() {
        assert_eq!(media_name("media/Bront%C3%AB.jpg"), "media/Brontë.jpg");
        assert_eq!(media_name("./a%20b.png"), "a b.png");
        assert_eq!(media_name("100%"), "100%");
    }

    #[test]
    fn years() {
        assert_eq!(year_of_day(0), 1970);
        assert_eq!(year_of_day(-1), 1969);
        assert_eq!(year_of_day(19_723), 2024); // 2024-01-01
        assert_eq!(year_of_day(20_088), 2024); // 2024-12-31
        assert_eq!(year_of_day(20_089), 2025);
        assert!(current_year() >= 2025);
    }
}
