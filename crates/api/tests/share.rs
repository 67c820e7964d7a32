//! Clinician shares: made from a vault, encrypted with age to X25519 keys or a passphrase, opened
//! read-only — and every way opening must fail cleanly (wrong key or passphrase, not a share,
//! tampered, a zip bomb, a newer format).

use kinvault_api::model::{
    EventKind, Family, FamilyChild, GeneticTest, Person, PersonName, Sex, TestResult, VitalStatus,
};
use kinvault_api::report::ReportFormat;
use kinvault_api::share::*;
use kinvault_api::*;
use std::collections::HashMap;
use std::io::{Cursor, Write};
use uuid::Uuid;

struct Fam {
    vault: Vault,
    ids: HashMap<&'static str, Uuid>,
    dir: tempfile::TempDir,
}

impl Fam {
    fn person(&mut self, key: &'static str, sex: Sex, birth: &str, f: impl FnOnce(&mut Person)) {
        let mut p = Person::new(PersonName::new(key, "Quist"), sex);
        p.set_event_date(EventKind::Birth, Some(birth));
        p.vital_status = VitalStatus::Alive { age: None };
        f(&mut p);
        self.vault.write(|tx| tx.put_person(&p)).unwrap();
        self.ids.insert(key, p.id);
    }
    fn family(&mut self, partners: &[&str], children: &[&str]) {
        let mut fam = Family::new(partners.iter().map(|k| self.ids[k]).collect());
        fam.children = children.iter().map(|k| FamilyChild { person: self.ids[k], links: vec![] }).collect();
        self.vault.write(|tx| tx.put_family(&fam)).unwrap();
    }
    fn id(&self, k: &str) -> String {
        self.ids[k].to_string()
    }
    fn share(&self, req: &ShareRequest) -> Result<(Vec<u8>, ShareManifest)> {
        let g = graph::load(&self.vault).unwrap();
        share_bytes(&self.vault, &g.graph, req)
    }
}

/// Grandparents Gpa + Gma (deceased 2001); their daughters Mum and Aunt (breast cancer at 41);
/// Mum + Dad's daughter Ann, the proband, with a positive BRCA1 test; a stranger Sid.
fn family() -> Fam {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(&dir.path().join("f.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0;
    let mut f = Fam { vault, ids: HashMap::new(), dir };
    f.person("Gpa", Sex::Male, "1931", |_| {});
    f.person("Gma", Sex::Female, "1934", |p| {
        p.vital_status = VitalStatus::Deceased { age: Some(67.0), date: None, cause: None };
        p.set_event_date(EventKind::Death, Some("2001"));
    });
    f.person("Mum", Sex::Female, "1960", |_| {});
    f.person("Aunt", Sex::Female, "1962", |_| {});
    f.person("Dad", Sex::Male, "1958", |_| {});
    f.person("Ann", Sex::Female, "1990", |p| {
        p.proband = true;
        p.genetic_tests.push(GeneticTest {
            id: Uuid::now_v7(),
            gene: "BRCA1".into(),
            variant: Some("NM_007294.4:c.68_69del".into()),
            acmg_class: Some(kinvault_api::model::AcmgClass::Pathogenic),
            result: TestResult::Positive,
            method: None,
            sensitivity: None,
            lab: Some("Lab A".into()),
            date: None,
            provenance: Default::default(),
        });
    });
    f.person("Sid", Sex::Male, "1970", |_| {});
    f.family(&["Gpa", "Gma"], &["Mum", "Aunt"]);
    f.family(&["Dad", "Mum"], &["Ann"]);
    let aunt = f.id("Aunt");
    let mut add = AddCondition {
        condition: "breast-cancer".into(),
        status: kinvault_api::model::ConditionStatus::Affected,
        onset_age: Some(41.0),
        age: None,
        certainty: Default::default(),
        provenance: Default::default(),
        note: None,
    };
    clinical::add_condition(&mut f.vault, &aunt, &add).unwrap();
    add.onset_age = None;
    add.status = kinvault_api::model::ConditionStatus::Unaffected;
    let mum = f.id("Mum");
    clinical::add_condition(&mut f.vault, &mum, &add).unwrap();
    f
}

fn keyed(f: &Fam, keys: &[&ShareIdentity]) -> ShareRequest {
    ShareRequest { recipients: keys.iter().map(|k| k.public_key.clone()).collect(), ..ShareRequest::new(&f.id("Ann")) }
}

fn person<'a>(s: &'a OpenedShare, name: &str) -> &'a SharePerson {
    s.people
        .iter()
        .find(|p| p.name.as_deref().is_some_and(|n| n.starts_with(name)))
        .unwrap_or_else(|| panic!("{name} is not in the share"))
}

#[test]
fn round_trip_with_x25519_keys() {
    let f = family();
    let (a, b) = (generate_identity(), generate_identity());
    let stats = f.vault.stats().unwrap();
    let (bytes, manifest) = f.share(&keyed(&f, &[&a, &b])).unwrap();
    assert_eq!(f.vault.stats().unwrap(), stats, "making a share changes nothing in the vault");
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "an age v1 file");
    assert!(!bytes.windows(5).any(|w| w == b"Quist"), "no name in the clear");

    for key in [&a, &b] {
        let opened = open_share(&bytes, ShareSecret::Identity(&key.secret_key)).unwrap();
        assert_eq!(opened.manifest, manifest);
    }
    let opened = open_share(&bytes, ShareSecret::Identity(&identity_file_text(&b))).unwrap();
    let m = &opened.manifest;
    assert_eq!((m.format.as_str(), m.version), (SHARE_FORMAT, SHARE_VERSION));
    assert_eq!(m.vault_id, f.vault.id().to_string());
    assert_eq!(m.proband.label, "Ann Quist");
    assert_eq!(m.created.len(), 10);
    assert_eq!(
        (m.counts.people, m.counts.families, m.counts.living, m.counts.conditions, m.counts.genetic_tests),
        (6, 2, 5, 2, 1),
        "the report's people: not the stranger"
    );
    assert!(m.options.health_included && m.options.living_included && m.options.names);
    assert_eq!((m.options.protection, m.options.recipients), (ShareProtection::X25519, 2));
    assert_eq!(m.options.generations, Some(3));
    let names: Vec<&str> = m.contents.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, [FHIR_FILE, GA4GH_FILE, TESTS_FILE, REPORT_PDF_FILE, REPORT_HTML_FILE]);
    for e in &m.contents {
        assert_eq!(opened.file(&e.name).map(<[u8]>::len), Some(e.bytes as usize), "{}", e.name);
    }

    // The summary, read back from the FHIR/GA4GH bundles and the test file.
    assert_eq!(opened.people.len(), 6);
    let ann = &opened.people[0];
    assert!(ann.proband && ann.relation == "proband" && ann.name.as_deref() == Some("Ann Quist"));
    assert_eq!(m.proband.id, ann.id);
    assert_eq!((ann.sex, ann.birth_year, ann.vital_status), (Sex::Female, Some(1990), ShareVital::Alive));
    assert_eq!(ann.tests.len(), 1);
    assert_eq!((ann.tests[0].gene.as_str(), ann.tests[0].result.as_str()), ("BRCA1", "positive"));
    assert_eq!(ann.tests[0].acmg.as_deref(), Some("pathogenic"));
    let aunt = person(&opened, "Aunt");
    assert_eq!(aunt.relation, "aunt");
    assert_eq!(aunt.conditions.len(), 1);
    assert_eq!(aunt.conditions[0].status, "affected");
    assert!(aunt.conditions[0].codes.iter().any(|c| c.starts_with("SNOMED")), "{:?}", aunt.conditions[0].codes);
    assert_eq!(aunt.conditions[0].onset.as_deref(), Some("41 y"));
    let gma = person(&opened, "Gma");
    assert_eq!(
        (gma.vital_status, gma.death_year, gma.relation.as_str()),
        (ShareVital::Deceased, Some(2001), "grandmother")
    );
    assert!(person(&opened, "Dad").conditions.is_empty());
    assert!(!opened.people.iter().any(|p| p.name.as_deref() == Some("Sid Quist")));

    assert!(opened.report(ReportFormat::Pdf).starts_with(b"%PDF-"));
    let html = String::from_utf8(opened.report(ReportFormat::Html).to_vec()).unwrap();
    assert!(html.contains("<html") && html.contains("Ann Quist"));
    let view = opened.clone().into_view();
    assert!(view.report_pdf.file_name.ends_with(".pdf") && !view.report_pdf.base64.is_empty());

    // Extracted files are the archive's; an existing file is not replaced.
    let out = f.dir.path().join("extracted");
    let written = extract_share(&opened, &out).unwrap();
    assert_eq!(written.len(), 7, "manifest, README and the five files");
    assert_eq!(std::fs::read(out.join(REPORT_PDF_FILE)).unwrap(), opened.report(ReportFormat::Pdf));
    assert_eq!(extract_share(&opened, &out).unwrap_err().kind, ErrorKind::AlreadyExists);
    // --json output: manifest and people, never the file bytes.
    let json = serde_json::to_value(&opened).unwrap();
    assert!(json.get("files").is_none() && json["people"].as_array().unwrap().len() == 6);
}

#[test]
fn round_trip_with_a_passphrase_and_wrong_secrets() {
    let f = family();
    let req = ShareRequest { passphrase: Some("a long share passphrase".into()), ..ShareRequest::new(&f.id("Ann")) };
    let (bytes, manifest) = f.share(&req).unwrap();
    assert_eq!((manifest.options.protection, manifest.options.recipients), (ShareProtection::Passphrase, 0));
    assert_eq!(share_protection(&bytes).unwrap(), ShareProtection::Passphrase);
    let opened = open_share(&bytes, ShareSecret::Passphrase("a long share passphrase")).unwrap();
    assert_eq!(opened.manifest, manifest);

    let e = open_share(&bytes, ShareSecret::Passphrase("not the passphrase")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongPassphrase);
    assert_eq!(e.message, "wrong passphrase for this share");
    let key = generate_identity();
    let e = open_share(&bytes, ShareSecret::Identity(&key.secret_key)).unwrap_err();
    assert!(e.message.contains("protected by a passphrase"), "{}", e.message);
}

#[test]
fn a_wrong_key_is_a_clear_error() {
    let f = family();
    let (right, wrong) = (generate_identity(), generate_identity());
    let (bytes, _) = f.share(&keyed(&f, &[&right])).unwrap();
    assert_eq!(share_protection(&bytes).unwrap(), ShareProtection::X25519);
    let e = open_share(&bytes, ShareSecret::Identity(&wrong.secret_key)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongPassphrase);
    assert!(e.message.contains("encrypted to other public keys"), "{}", e.message);
    let e = open_share(&bytes, ShareSecret::Passphrase("some passphrase")).unwrap_err();
    assert!(e.message.contains("encrypted to an age key"), "{}", e.message);
    let e = open_share(&bytes, ShareSecret::Identity(&right.public_key)).unwrap_err();
    assert!(e.message.contains("public key"), "{}", e.message);
    assert!(!e.message.contains(&right.public_key), "keys are not echoed");
}

#[test]
fn bad_requests_are_refused_before_any_work() {
    let f = family();
    let key = generate_identity();
    let mut req = keyed(&f, &[&key]);
    req.recipients.push("age1notakey".into());
    let e = f.share(&req).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.starts_with("recipient 2 is not usable"), "{}", e.message);
    req.recipients = vec![key.secret_key.clone()];
    assert!(f.share(&req).unwrap_err().message.contains("it is a secret key"));
    let e = f.share(&ShareRequest::new(&f.id("Ann"))).unwrap_err();
    assert!(e.message.contains("choose who can open the share"), "{}", e.message);
    let e = f.share(&ShareRequest { passphrase: Some("short".into()), ..ShareRequest::new(&f.id("Ann")) }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::WeakPassphrase);
    let e =
        f.share(&ShareRequest { recipients: vec![key.public_key.clone()], ..ShareRequest::new("nobody") }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[test]
fn without_names_and_with_fewer_generations() {
    let f = family();
    let key = generate_identity();
    let req = ShareRequest { names: false, generations: Some(1), ..keyed(&f, &[&key]) };
    let (bytes, manifest) = f.share(&req).unwrap();
    assert_eq!(manifest.proband.label, "Proband");
    assert_eq!(manifest.options.generations, Some(1));
    assert!(!manifest.options.names);
    let opened = open_share(&bytes, ShareSecret::Identity(&key.secret_key)).unwrap();
    assert_eq!(opened.people.len(), 3, "one generation up: the parents; not the grandparents or the aunt");
    assert!(opened.people.iter().all(|p| p.name.is_none()));
    for (name, content) in opened.files() {
        let text = String::from_utf8_lossy(content);
        assert!(!text.contains("Quist"), "{name} holds a name");
    }
}

/// An age file (to `key`) holding `plain`.
fn age_to(key: &ShareIdentity, plain: &[u8]) -> Vec<u8> {
    let r: age::x25519::Recipient = key.public_key.parse().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    out
}

/// A zip archive of `(name, content)` entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zw.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zw.write_all(bytes).unwrap();
    }
    zw.finish().unwrap().into_inner()
}

#[test]
fn files_that_are_not_shares_are_refused() {
    let key = generate_identity();
    let open = |bytes: &[u8]| open_share(bytes, ShareSecret::Identity(&key.secret_key)).unwrap_err();

    let e = open(b"PK\x03\x04 just a zip file, not encrypted");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("not an age-encrypted file"), "{}", e.message);

    let e = open(&age_to(&key, b"a plain text note"));
    assert!(e.message.contains("decrypts, but it is not a Kinvault share: it holds no zip archive"), "{}", e.message);

    let e = open(&age_to(&key, &zip_of(&[("notes.txt", b"hello")])));
    assert!(e.message.contains("no manifest.json"), "{}", e.message);

    let e = open(&age_to(&key, &zip_of(&[("manifest.json", br#"{"format":"something-else","version":1}"#)])));
    assert!(e.message.contains("does not name the Kinvault share format"), "{}", e.message);

    let newer = format!(r#"{{"format":"{SHARE_FORMAT}","version":99}}"#);
    let e = open(&age_to(&key, &zip_of(&[("manifest.json", newer.as_bytes())])));
    assert_eq!(e.kind, ErrorKind::TooNew);

    let e = open(&age_to(&key, &zip_of(&[("../evil", b"x")])));
    assert!(e.message.contains("unexpected name"), "{}", e.message);
}

#[test]
fn tampered_or_truncated_shares_are_rejected() {
    let f = family();
    let key = generate_identity();
    let (bytes, _) = f.share(&keyed(&f, &[&key])).unwrap();
    let open = |b: &[u8]| open_share(b, ShareSecret::Identity(&key.secret_key));
    assert!(open(&bytes).is_ok());

    // A flipped bit in the payload: the chunk's Poly1305 tag fails.
    let mut payload = bytes.clone();
    let at = payload.len() - 100;
    payload[at] ^= 0x01;
    let e = open(&payload).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt);
    assert!(e.message.contains("damaged or has been altered"), "{}", e.message);

    // A changed header MAC ("--- <base64>" line).
    let mut header = bytes.clone();
    let mac = header.windows(4).position(|w| w == b"\n---").unwrap() + 6;
    header[mac] = if header[mac] == b'A' { b'B' } else { b'A' };
    let e = open(&header).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt, "{}", e.message);

    // Cut short.
    let e = open(&bytes[..bytes.len() - 10]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt, "{}", e.message);
}

#[test]
fn zip_bombs_hit_the_limits() {
    let key = generate_identity();
    // 160 MiB of zeros compresses to ~160 KiB; the default limit for one entry is 128 MiB.
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zw.start_file("manifest.json", deflate).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..160 {
        zw.write_all(&zeros).unwrap();
    }
    let bomb = zw.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let e = open_share(&age_to(&key, &bomb), ShareSecret::Identity(&key.secret_key)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("manifest.json in the share unpacks to more than 128 MiB"), "{}", e.message);

    // Smaller limits: one entry, all entries, the number of entries, the archive, the file.
    let limits = ShareLimits {
        max_file_bytes: 1 << 20,
        max_archive_bytes: 1 << 20,
        max_entry_bytes: 64 << 10,
        max_total_bytes: 100 << 10,
        max_entries: 4,
    };
    let open = |plain: &[u8]| {
        open_share_with_limits(&age_to(&key, plain), ShareSecret::Identity(&key.secret_key), &limits).unwrap_err()
    };
    let big = vec![b'x'; 70 << 10];
    assert!(open(&zip_of(&[("a.json", &big)])).message.contains("unpacks to more than 1 MiB"));
    let half = vec![b'x'; 60 << 10];
    assert!(open(&zip_of(&[("a.json", &half), ("b.json", &half)])).message.contains("more than 1 MiB in all"));
    let many: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("f{i}"), vec![])).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    assert!(open(&zip_of(&many)).message.contains("has 5 files"));
    let e =
        open_share_with_limits(&vec![0u8; (1 << 20) + 1], ShareSecret::Identity(&key.secret_key), &limits).unwrap_err();
    assert!(e.message.contains("larger than 1 MiB"), "{}", e.message);
}

#[test]
fn key_files_are_private_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.key");
    let written = write_identity_file(&path).unwrap();
    assert!(written.public_key.starts_with("age1"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# created: ") && text.contains(&format!("# public key: {}\n", written.public_key)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let e = write_identity_file(&path).unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "not replaced");

    // A share to that key opens with the key file, through the app's request too.
    let f = family();
    let req = ShareRequest { recipients: vec![written.public_key.clone()], ..ShareRequest::new(&f.id("Ann")) };
    let share_path = dir.path().join("share.age");
    let g = graph::load(&f.vault).unwrap();
    let report = create_share(&f.vault, &g.graph, &req, &share_path).unwrap();
    assert_eq!(report.bytes, std::fs::metadata(&share_path).unwrap().len());
    let view = open_share_request(&OpenShareRequest {
        path: share_path.display().to_string(),
        identity: None,
        identity_file: Some(path.display().to_string()),
        passphrase: None,
    })
    .unwrap();
    assert_eq!(view.share.manifest, report.manifest);
    let both = OpenShareRequest {
        path: share_path.display().to_string(),
        identity: Some(text.clone()),
        identity_file: None,
        passphrase: Some("x".into()),
    };
    assert!(open_share_request(&both).unwrap_err().message.contains("one secret"));
    assert!(!format!("{both:?}").contains("AGE-SECRET-KEY"), "Debug redacts secrets");
    // The share is never written over the vault.
    let e = create_share(&f.vault, &g.graph, &req, f.vault.path()).unwrap_err();
    assert!(e.message.contains("over the vault"), "{}", e.message);
}
