//! GEDCOM ⇄ model mapping.
//!
//! Import: [`Prescan`] every record, then [`Importer::map`] each (see [`import`]). Export:
//! [`Exporter`] scans the model records, then writes them (see [`export`]). [`import_records`]
//! and [`export_records`] do either in memory, for tests and small files.
//!
//! Round trip: importing a file, exporting it in the same version with living people and
//! health data included, and importing that gives the same model (up to generated ids); what
//! the model does not map is kept raw and written back.

mod common;
pub mod export;
pub mod import;

pub use common::{extension_uri, IMPORTED_NOTE, PROV_DEAT_CAUS, PROV_MDCL};
pub use export::{is_living, ExportCounts, ExportOptions, Exporter};
pub use import::{ImportCounts, ImportSummary, ImportWarning, Importer, Mapped, Prescan};
pub use kinvault_gedcom::WriteVersion;

use kinvault_gedcom::{Record, Writer};
use kinvault_model::{Family, Person, RawRecord, Source};

/// Everything a file mapped to, in file order within each kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub persons: Vec<Person>,
    pub families: Vec<Family>,
    pub sources: Vec<Source>,
    pub raw_records: Vec<RawRecord>,
    pub summary: ImportSummary,
}

/// Maps records held in memory (both passes).
pub fn import_records(records: &[Record]) -> Imported {
    let mut scan = Prescan::new();
    for r in records {
        scan.record(r);
    }
    let mut imp = scan.into_importer();
    let mut out = Imported::default();
    for r in records {
        match imp.map(r) {
            Some(Mapped::Person(p)) => out.persons.push(p),
            Some(Mapped::Family(f)) => out.families.push(f),
            Some(Mapped::Source(s)) => out.sources.push(s),
            Some(Mapped::Raw(r)) => out.raw_records.push(r),
            None => {}
        }
    }
    out.summary = imp.finish();
    out
}

/// Exports model records held in memory to GEDCOM bytes.
pub fn export_records(
    persons: &[Person],
    families: &[Family],
    sources: &[Source],
    raw_records: &[RawRecord],
    options: ExportOptions,
) -> (Vec<u8>, ExportCounts) {
    let mut ex = Exporter::new(options);
    persons.iter().for_each(|p| ex.scan_person(p));
    families.iter().for_each(|f| ex.scan_family(f));
    sources.iter().for_each(|s| ex.scan_source(s));
    raw_records.iter().for_each(|r| ex.scan_raw_record(r));
    ex.prepare();
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let result = Writer::new(&mut out, Some(&ex.header()), ex.write_options()).and_then(|mut w| {
        for p in persons {
            if let Some(n) = ex.person(p) {
                w.write_record(&n)?;
            }
        }
        for f in families {
            if let Some(n) = ex.family(f) {
                w.write_record(&n)?;
            }
        }
        for s in sources {
            w.write_record(&ex.source(s))?;
        }
        for r in raw_records {
            if let Some(n) = ex.raw_record(r) {
                w.write_record(&n)?;
            }
        }
        for n in ex.trailing_records() {
            w.write_record(&n)?;
        }
        w.finish().map(|_| ())
    });
    debug_assert!(result.is_ok());
    (out, ex.counts())
}
