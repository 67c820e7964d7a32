//! The HTML report: sections, header, escaping of every text field, the SVG inlined.

mod common;

use common::{sample_report, PEDIGREE_SVG};
use kinvault_report::*;

#[test]
fn has_every_section_with_its_id_and_heading_in_order() {
    let html = to_html(&sample_report());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    let mut last = 0;
    for (id, heading) in SECTIONS {
        let tag = format!("<section id=\"{id}\">\n<h2>{heading}</h2>");
        let at = html.find(&tag).unwrap_or_else(|| panic!("no section {id}"));
        assert!(at > last, "section {id} out of order");
        last = at;
    }
    assert_eq!(html.matches("<section ").count(), SECTIONS.len());
    assert_eq!(html.matches("</section>").count(), SECTIONS.len());
}

#[test]
fn header_has_date_vault_catalog_and_proband() {
    let html = to_html(&sample_report());
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(header.contains("<h1>Family history and genetic risk report</h1>"));
    assert!(header.contains("<time datetime=\"2025-03-14T10:22:05+01:00\">2025-03-14 10:22 (UTC+01:00)</time>"));
    assert!(header.contains("c0ffee42-7d1e-4b8a-9a3e-5b1f2e9d8a11"));
    assert!(header.contains("<dd class=\"catalog-version\">2025.03</dd>"));
    assert!(header.contains("Anna Berg, female, 41 y (id III-1)"));
    assert!(!header.contains("Names hidden"));
}

#[test]
fn prints_relatives_risks_criteria_provenance_and_references() {
    let html = to_html(&sample_report());
    assert!(html.contains(
        "<span class=\"condition\">Breast cancer</span> <span class=\"codes\">(SNOMED 254837009; ICD-10 C50)</span>"
    ));
    assert!(html.contains("affected, onset 71 y; imported (GEDCOM), unverified"));
    assert!(html.contains("CFTR c.1521_1523del (p.Phe508del)"));
    assert!(html.contains("<td class=\"age\">d. 79 y</td>"));
    assert!(html.contains("Sofia Holm-Åberg"), "non-ASCII text is kept as is");
    assert!(html.contains("<p class=\"headline\">Carrier probability 50% (population 4.0%)</p>"));
    assert!(html.contains("Family-history category: <strong>moderate</strong>"));
    assert!(html.contains("<a href=\"#ref-antoniou2003\">[antoniou2003]</a>"));
    assert!(html.contains("<li id=\"ref-antoniou2003\">"));
    assert!(html.contains("<a href=\"https://doi.org/10.1086/375033\" rel=\"noreferrer\">"));
    assert!(html.contains("<li>Amsterdam II criteria: not met (one relative with a Lynch-associated cancer).</li>"));
    assert!(html.contains("<tr><td>Imported from a file, unverified</td><td class=\"value\">1</td></tr>"));
    assert!(html.contains("has not been verified."));
    // The print CSS.
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains("@media print"));
}

#[test]
fn inlines_the_svg_without_its_xml_declaration() {
    let html = to_html(&sample_report());
    let section = &html[html.find("<section id=\"pedigree\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<figure class=\"pedigree\">\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(section.contains("<g class=\"person\" data-id=\"III-1\" data-shape=\"circle\""));
    assert!(section.contains("<pattern id=\"hatch\""));
    assert!(section.contains("<figcaption>Pedigree of the Berg family"));
    assert!(!html.contains("<?xml"));
    let body = PEDIGREE_SVG.split_once("?>").unwrap().1.trim();
    assert!(html.contains(body), "the SVG is inlined unchanged");
}

#[test]
fn escapes_every_text_field() {
    let evil = "<script>alert(1)</script>";
    let attr = "\"><img src=x onerror=alert(1)>";
    let mut r = sample_report();
    r.title = format!("Report & {evil}");
    r.generated_at = attr.into();
    r.vault_id = evil.into();
    r.catalog_version = evil.into();
    r.app_version = attr.into();
    r.proband.label = evil.into();
    r.proband.id = evil.into();
    r.pedigree_caption = evil.into();
    r.relatives[0].name = Some(evil.into());
    r.relatives[0].number = evil.into();
    r.relatives[0].relation = evil.into();
    r.relatives[0].conditions[0].label = evil.into();
    r.relatives[0].conditions[0].codes = vec![evil.into()];
    r.relatives[0].conditions[0].onset = Some(evil.into());
    r.relatives[0].conditions[0].status = evil.into();
    r.relatives[0].conditions[0].provenance = kinvault_model::Provenance::Imported { format: evil.into() };
    r.relatives[2].tests[0] = ReportTest {
        gene: evil.into(),
        variant: Some(evil.into()),
        result: evil.into(),
        acmg: Some(evil.into()),
        lab: Some(evil.into()),
        date: Some(evil.into()),
    };
    let risk = &mut r.risks[0];
    risk.condition = evil.into();
    risk.model = evil.into();
    risk.headline = evil.into();
    risk.category = Some(evil.into());
    risk.summary = evil.into();
    risk.facts[0] = RiskFact { description: evil.into(), without: Some(evil.into()), with: Some(evil.into()) };
    risk.parameters[0] = RiskParameter { name: evil.into(), value: evil.into(), reference: Some(attr.into()) };
    risk.notes = vec![evil.into()];
    r.family_history = vec![evil.into()];
    r.references.push(ReportReference {
        id: attr.into(),
        citation: evil.into(),
        year: None,
        url: Some("javascript:alert(1)".into()),
    });
    r.provenance.sentence = evil.into();

    let html = to_html(&r);
    assert!(!html.contains("<script"), "a text field injected a script element");
    assert!(!html.contains("<img"), "a text field injected an element");
    assert!(!html.contains("href=\"javascript:"), "a javascript: URL became a link");
    assert!(html.contains("<title>Report &amp; &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), "the relative's name is escaped");
    assert!(html.contains("datetime=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
    assert!(html.contains("id=\"ref----img-src-x-onerror-alert-1--\""));
    assert!(html.contains("javascript:alert(1)"), "the URL is still printed, as text");
    // Every occurrence of the payload is escaped: 30 text fields, some printed twice.
    assert!(html.matches("&lt;script&gt;alert(1)&lt;/script&gt;").count() >= 30);
}

#[test]
fn names_hidden_drops_the_name_column_and_says_so() {
    let mut r = sample_report();
    r.privacy = NamePrivacy::NamesHidden;
    r.proband.label = "Proband".into();
    for rel in &mut r.relatives {
        rel.name = None;
    }
    let html = to_html(&r);
    assert!(html.contains("<p class=\"privacy\">Names hidden"));
    assert!(!html.contains("<th>Name</th>"));
    assert!(html.contains("Proband, female, 41 y"));
    assert!(!html.contains("Karin Berg"));
}

#[test]
fn empty_report_has_every_section_and_says_what_is_missing() {
    let r = ReportData { title: "Empty".into(), generated_at: "2025-01-01".into(), ..Default::default() };
    let html = to_html(&r);
    for (id, _) in SECTIONS {
        assert!(html.contains(&format!("<section id=\"{id}\">")));
    }
    assert!(html.contains("No pedigree drawing is included in this report."));
    assert!(html.contains("No relatives are recorded."));
    assert!(html.contains("No risk assessment is included in this report."));
    assert!(html.contains("No family-history criteria were evaluated."));
    assert!(html.contains("No references."));
    assert!(!html.contains("<figure"));
}

#[test]
fn report_data_round_trips_through_json() {
    let r = sample_report();
    let json = serde_json::to_string(&r).unwrap();
    let back: ReportData = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    // Optional parts may be left out.
    let min: ReportData = serde_json::from_str(
        r#"{"title":"T","generated_at":"2025-01-01","vault_id":"v","catalog_version":"c","app_version":"a",
            "proband":{"label":"Proband","id":"I1"}}"#,
    )
    .unwrap();
    assert_eq!(min.privacy, NamePrivacy::NamesShown);
    assert!(min.relatives.is_empty());
}
