//! The PDF report: structure, page count, document info, and — with poppler-utils' `pdftotext`
//! and `pdftoppm` — its extracted text and a rendering of page 1. In CI (the `CI` environment
//! variable set) the poppler tests fail when the binaries are missing; elsewhere they are skipped
//! with a message.

mod common;

use common::{long_report, sample_report};
use kinvault_report::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether a poppler binary can be run: in CI a missing one is a failure, locally a skip.
fn poppler(bin: &str) -> bool {
    match Command::new(bin).arg("-v").output() {
        Ok(_) => true,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("{bin} is required in CI (Debian package poppler-utils): {e}");
            }
            eprintln!("SKIPPED: {bin} not found ({e}); install poppler-utils to run this test");
            false
        }
    }
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kinvault-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_pdf(dir: &Path, r: &ReportData) -> PathBuf {
    let path = dir.join("report.pdf");
    std::fs::write(&path, to_pdf(r).unwrap()).unwrap();
    path
}

/// pdftotext's output with every run of whitespace made one space (wrapped lines joined).
fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The number of page objects (`/Type /Page`, not `/Pages`) and the page tree's `/Count`.
fn page_objects(pdf: &[u8]) -> (usize, usize) {
    let needle = b"/Type /Page";
    let pages =
        pdf.windows(needle.len() + 1).filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's').count();
    let text = String::from_utf8_lossy(pdf);
    let count = text.split("/Count ").nth(1).unwrap().split(|c: char| !c.is_ascii_digit()).next().unwrap();
    (pages, count.parse().unwrap())
}

#[test]
fn is_a_pdf_with_document_info() {
    let pdf = to_pdf(&sample_report()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1."));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Producer (Kinvault)"));
    assert!(text.contains("/Title (Family history and genetic risk report)"));
    assert!(text.contains("/CreationDate (D:20250314102205+01'00)"));
    assert!(text.contains("/BaseFont /Helvetica\n") || text.contains("/BaseFont /Helvetica "));
    assert!(text.contains("/BaseFont /Helvetica-Bold"));
    assert!(text.contains("/Encoding /WinAnsiEncoding"));
    assert!(text.contains("/MediaBox [0 0 595.276 841.89]"));
    // The pedigree is a Form XObject drawn on a page.
    assert!(text.contains("/Subtype /Form"));
    assert!(text.contains("/Pedigree"));
}

#[test]
fn long_report_has_many_pages() {
    let short = to_pdf(&sample_report()).unwrap();
    let long = to_pdf(&long_report(60)).unwrap();
    let (short_pages, short_count) = page_objects(&short);
    let (long_pages, long_count) = page_objects(&long);
    assert_eq!(short_pages, short_count);
    assert_eq!(long_pages, long_count);
    assert!(short_pages > 1, "the sample fills more than one page");
    // 60 more relatives, each a three-line row of about 37 pt: about 2200 pt, three pages of
    // table (726 pt each), so at least two pages more than the sample and no more than four.
    assert!(long_pages >= short_pages + 2 && long_pages <= short_pages + 4, "{short_pages} -> {long_pages} pages");
}

#[test]
fn timestamp_and_svg_errors() {
    let mut r = sample_report();
    r.generated_at = "yesterday".into();
    assert_eq!(to_pdf(&r), Err(ReportError::InvalidTimestamp("yesterday".into())));
    let mut r = sample_report();
    r.pedigree_svg = "<svg".into();
    assert!(matches!(to_pdf(&r), Err(ReportError::Svg(_))));
    // Date only, no offset: fine.
    let mut r = sample_report();
    r.generated_at = "2025-03-14".into();
    let pdf = to_pdf(&r).unwrap();
    assert!(String::from_utf8_lossy(&pdf).contains("/CreationDate (D:20250314000000)"));
}

#[test]
fn no_pedigree_no_form() {
    let mut r = sample_report();
    r.pedigree_svg.clear();
    let pdf = to_pdf(&r).unwrap();
    assert!(!String::from_utf8_lossy(&pdf).contains("/Subtype /Form"));
    let empty = ReportData { title: "Empty".into(), generated_at: "2025-01-01T00:00Z".into(), ..Default::default() };
    let pdf = to_pdf(&empty).unwrap();
    assert_eq!(page_objects(&pdf), (1, 1));
}

#[test]
fn pdftotext_finds_the_report_text() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = scratch("text");
    let mut r = sample_report();
    r.risks[2].notes.push("Kinship κ and ≥ 2 relatives, “quoted” – done".into());
    let text = pdftotext(&write_pdf(&dir, &r));
    for (_, heading) in SECTIONS {
        assert!(text.contains(heading), "no heading {heading:?} in {text}");
    }
    for expected in [
        "Family history and genetic risk report",
        "2025-03-14 10:22 (UTC+01:00)",
        "c0ffee42-7d1e-4b8a-9a3e-5b1f2e9d8a11",
        "Catalog version",
        "2025.03",
        "Anna Berg, female, 41 y (id III-1)",
        "Breast cancer (SNOMED 254837009; ICD-10 C50)",
        "affected, onset 71 y; imported (GEDCOM), unverified",
        "Sofia Holm-Åberg",
        "CFTR c.1521_1523del (p.Phe508del)",
        "Carrier probability 50% (population 0.2%)",
        "Family-history category: moderate",
        "Kuchenbaecker KB, et al. Risks of breast, ovarian, and contralateral breast cancer",
        "https://doi.org/10.1086/375033",
        "Amsterdam II criteria: not met",
        "Imported from a file, unverified 1",
        // Outside WinAnsi: '?', or an ASCII spelling; typographic quotes and dashes kept.
        "Kinship ? and >= 2 relatives, “quoted” – done",
        "Page 1 of 3",
        "Page 3 of 3",
    ] {
        assert!(text.contains(expected), "no {expected:?} in {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The pedigree's Form XObject stream (compressed), the largest stream in the file.
fn pedigree_stream_len(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.split(" 0 obj")
        .filter(|obj| obj.contains("/Subtype /Form"))
        .filter_map(|obj| obj.split("/Length ").nth(1)?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .expect("a Form XObject")
}

#[test]
fn pedigree_text_is_drawn_as_outlines_when_fonts_exist() {
    let mut db = svg2pdf::usvg::fontdb::Database::new();
    db.load_system_fonts();
    if db.is_empty() {
        assert!(std::env::var_os("CI").is_none(), "CI installs fonts (fonts-dejavu-core)");
        eprintln!("SKIPPED: no system fonts, so usvg drops the pedigree's text");
        return;
    }
    let with_text = sample_report();
    let mut without_text = sample_report();
    // The same drawing with its <text> elements removed.
    let mut svg = String::new();
    let mut rest = without_text.pedigree_svg.as_str();
    while let Some(start) = rest.find("<text") {
        svg.push_str(&rest[..start]);
        let end = rest[start..].find("</text>").unwrap() + start + "</text>".len();
        rest = &rest[end..];
    }
    svg.push_str(rest);
    without_text.pedigree_svg = svg;
    let a = pedigree_stream_len(&to_pdf(&with_text).unwrap());
    let b = pedigree_stream_len(&to_pdf(&without_text).unwrap());
    // 25 labels of glyph outlines: several kilobytes more.
    assert!(a > b + 3000, "with text {a} bytes, without {b}");
}

#[test]
fn pdftotext_counts_the_pages_of_a_long_report() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = scratch("long");
    let pdf = write_pdf(&dir, &long_report(60));
    let (pages, _) = page_objects(&std::fs::read(&pdf).unwrap());
    let text = pdftotext(&pdf);
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    assert!(!text.contains(&format!("Page {} of", pages + 1)));
    // The relatives table goes on over several pages, its header repeated on each.
    assert!(text.matches("No. Relation Name Sex, age Conditions Genetic tests").count() >= 3);
    assert!(text.contains("IV-60"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn names_hidden_note_in_the_pdf() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = scratch("hidden");
    let mut r = sample_report();
    r.privacy = NamePrivacy::NamesHidden;
    r.proband.label = "Proband".into();
    for rel in &mut r.relatives {
        rel.name = None;
    }
    let text = pdftotext(&write_pdf(&dir, &r));
    assert!(text.contains("Names hidden: relatives are identified by pedigree number and relationship only."));
    assert!(text.contains("No. Relation Sex, age Conditions"), "no Name column");
    assert!(!text.contains("Karin Berg"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pdftoppm_renders_page_one() {
    if !poppler("pdftoppm") {
        return;
    }
    let dir = scratch("render");
    let pdf = write_pdf(&dir, &sample_report());
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(dir.join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read(dir.join("page.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // IHDR: A4 at 50 dpi is 413.4 x 584.7 points, rounded up: 414 x 585 pixels.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (414, 585));
    // Not blank: a grey rendering of the same page has plenty of dark pixels.
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(dir.join("gray"))
        .status()
        .unwrap();
    assert!(status.success());
    let pgm = std::fs::read(dir.join("gray.pgm")).unwrap();
    let pixels = &pgm[pgm.len() - (414 * 585) as usize..];
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    assert!(dark > 3000, "only {dark} dark pixels on page 1");
    let _ = std::fs::remove_dir_all(&dir);
}
