//! The report as one self-contained HTML document: inline CSS (screen and print), the pedigree
//! SVG inlined, no scripts, no external resources. Every text field is escaped; the SVG is the
//! only markup taken from the input.

use crate::data::{NamePrivacy, ReportData, RiskSection};
use crate::words::{self, SECTIONS};
use std::fmt::Write;

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt;
  line-height: 1.4; color: #111; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
header.report-header { border-bottom: 2px solid #222; padding-bottom: 0.6rem; margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #999; padding-bottom: 0.15rem; margin: 1.6rem 0 0.6rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.3rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.privacy { font-style: italic; margin: 0.5rem 0 0; }
.muted { color: #555; }
figure.pedigree { margin: 0; text-align: center; }
figure.pedigree svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.4rem; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0 0.8rem; font-size: 0.92rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.35rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td ul { margin: 0; padding-left: 1rem; }
td.number, td.age, td.value { white-space: nowrap; }
.codes, .details { color: #444; }
.headline { font-weight: bold; font-size: 1.05rem; margin: 0.2rem 0; }
.model { color: #444; margin: 0; }
.category { margin: 0.2rem 0; }
ol.references li { margin-bottom: 0.25rem; }
footer.report-footer { border-top: 1px solid #999; margin-top: 2rem; padding-top: 0.4rem; font-size: 0.85rem; color: #444; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section { break-before: auto; }
  table { font-size: 8.5pt; }
  td ul { padding-left: 0.8rem; }
  /* Whole figures, rows and list items; each risk on one page when it fits there. */
  figure.pedigree, tr, article.risk, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"#;

/// Escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newlines are not allowed in HTML text.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A reference id as an element id: letters, digits, '-' and '_' kept, anything else '-'.
pub(crate) fn ref_anchor(id: &str) -> String {
    let slug: String =
        id.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("ref-{slug}")
}

/// The SVG document without what cannot stand inside HTML: the XML declaration, processing
/// instructions, comments and the doctype before the root element.
fn svg_for_inlining(svg: &str) -> &str {
    let mut s = svg.trim_start_matches('\u{feff}').trim_start();
    loop {
        if s.starts_with("<?") {
            match s.find("?>") {
                Some(end) => s = s[end + 2..].trim_start(),
                None => return "",
            }
        } else if s.starts_with("<!--") {
            match s.find("-->") {
                Some(end) => s = s[end + 3..].trim_start(),
                None => return "",
            }
        } else if s.starts_with("<!") {
            // The doctype (internal subsets with '>' inside brackets included).
            let mut depth = 0i32;
            let mut end = None;
            for (i, c) in s.char_indices() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    '>' if depth <= 0 => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            match end {
                Some(e) => s = s[e + 1..].trim_start(),
                None => return "",
            }
        } else {
            return s.trim_end();
        }
    }
}

fn is_web_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://")
}

/// The report as one HTML document.
pub fn to_html(r: &ReportData) -> String {
    let mut h = String::with_capacity(16 * 1024 + r.pedigree_svg.len());
    let names_shown = r.privacy == NamePrivacy::NamesShown;
    let generated = words::generated_at(&r.generated_at);

    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<meta name=\"generator\" content=\"Kinvault {}\">", esc(&r.app_version));
    let _ = writeln!(h, "<title>{}</title>", esc(&r.title));
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");

    // Header.
    h.push_str("<header class=\"report-header\" id=\"report-header\">\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&r.title));
    h.push_str("<dl class=\"meta\">\n");
    let _ = writeln!(
        h,
        "<dt>Generated</dt><dd><time datetime=\"{}\">{}</time></dd>",
        esc(r.generated_at.trim()),
        esc(&generated)
    );
    let _ = writeln!(h, "<dt>Vault</dt><dd class=\"vault-id\">{}</dd>", esc(&r.vault_id));
    let _ = writeln!(h, "<dt>Catalog version</dt><dd class=\"catalog-version\">{}</dd>", esc(&r.catalog_version));
    let _ = writeln!(h, "<dt>Kinvault version</dt><dd class=\"app-version\">{}</dd>", esc(&r.app_version));
    let p = &r.proband;
    let _ = writeln!(
        h,
        "<dt>Proband</dt><dd class=\"proband\">{}</dd>",
        esc(&words::proband_line(&p.label, p.sex, p.age, &p.id))
    );
    h.push_str("</dl>\n");
    if !names_shown {
        let _ = writeln!(h, "<p class=\"privacy\">{}</p>", esc(words::NAMES_HIDDEN_NOTE));
    }
    h.push_str("</header>\n<main>\n");

    pedigree(&mut h, r);
    relatives(&mut h, r, names_shown);
    risks(&mut h, r);
    family_history(&mut h, r);
    provenance(&mut h, r);
    references(&mut h, r);

    h.push_str("</main>\n<footer class=\"report-footer\">\n");
    let _ = writeln!(
        h,
        "<p>Made by Kinvault {} on {}, locally, from vault {} with condition catalog {}. \
         Risk figures are estimates from the recorded family history; discuss them with a genetics professional.</p>",
        esc(&r.app_version),
        esc(&generated),
        esc(&r.vault_id),
        esc(&r.catalog_version)
    );
    h.push_str("</footer>\n</body>\n</html>\n");
    h
}

fn section_start(h: &mut String, index: usize) {
    let (id, title) = SECTIONS[index];
    let _ = writeln!(h, "<section id=\"{id}\">\n<h2>{title}</h2>");
}

fn pedigree(h: &mut String, r: &ReportData) {
    section_start(h, words::PEDIGREE);
    let svg = svg_for_inlining(&r.pedigree_svg);
    if svg.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", words::NO_PEDIGREE);
    } else {
        h.push_str("<figure class=\"pedigree\">\n");
        h.push_str(svg);
        h.push('\n');
        if !r.pedigree_caption.trim().is_empty() {
            let _ = writeln!(h, "<figcaption>{}</figcaption>", esc(&r.pedigree_caption));
        }
        h.push_str("</figure>\n");
    }
    h.push_str("</section>\n");
}

fn relatives(h: &mut String, r: &ReportData, names_shown: bool) {
    section_start(h, words::RELATIVES);
    if r.relatives.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", words::NO_RELATIVES);
        h.push_str("</section>\n");
        return;
    }
    h.push_str("<table class=\"relatives\">\n<thead><tr><th>No.</th><th>Relation</th>");
    if names_shown {
        h.push_str("<th>Name</th>");
    }
    h.push_str("<th>Sex</th><th>Age</th><th>Conditions</th><th>Genetic tests</th></tr></thead>\n<tbody>\n");
    for rel in &r.relatives {
        let _ = write!(h, "<tr><td class=\"number\">{}</td><td>{}</td>", esc(&rel.number), esc(&rel.relation));
        if names_shown {
            let _ = write!(h, "<td>{}</td>", esc(rel.name.as_deref().unwrap_or("")));
        }
        let _ = write!(
            h,
            "<td>{}</td><td class=\"age\">{}</td><td>",
            esc(words::sex(rel.sex)),
            esc(&words::age(rel.age, rel.deceased, rel.age_at_death))
        );
        if !rel.conditions.is_empty() {
            h.push_str("<ul class=\"conditions\">");
            for c in &rel.conditions {
                let _ = write!(h, "<li><span class=\"condition\">{}</span>", esc(&c.label));
                let codes = words::codes(c);
                if !codes.is_empty() {
                    let _ = write!(h, " <span class=\"codes\">({})</span>", esc(&codes));
                }
                let _ = write!(h, "<br><span class=\"details\">{}</span></li>", esc(&words::condition_details(c)));
            }
            h.push_str("</ul>");
        }
        h.push_str("</td><td>");
        if !rel.tests.is_empty() {
            h.push_str("<ul class=\"tests\">");
            for t in &rel.tests {
                let _ = write!(h, "<li><span class=\"test\">{}</span>", esc(&words::test_title(t)));
                let details = words::test_details(t);
                if !details.is_empty() {
                    let _ = write!(h, "<br><span class=\"details\">{}</span>", esc(&details));
                }
                h.push_str("</li>");
            }
            h.push_str("</ul>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn risks(h: &mut String, r: &ReportData) {
    section_start(h, words::RISKS);
    if r.risks.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", words::NO_RISKS);
    }
    let known: std::collections::HashSet<&str> = r.references.iter().map(|x| x.id.trim()).collect();
    for (i, risk) in r.risks.iter().enumerate() {
        risk_article(h, i, risk, &known);
    }
    h.push_str("</section>\n");
}

fn risk_article(h: &mut String, i: usize, risk: &RiskSection, known: &std::collections::HashSet<&str>) {
    let _ = writeln!(h, "<article class=\"risk\" id=\"risk-{}\">\n<header>", i + 1);
    let _ = writeln!(h, "<h3>{}</h3>", esc(&risk.condition));
    if !risk.model.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"model\">{}</p>", esc(&risk.model));
    }
    let _ = writeln!(h, "<p class=\"headline\">{}</p>", esc(&risk.headline));
    if let Some(c) = risk.category.as_deref().filter(|c| !c.trim().is_empty()) {
        let _ = writeln!(h, "<p class=\"category\">Family-history category: <strong>{}</strong></p>", esc(c));
    }
    h.push_str("</header>\n");
    if !risk.summary.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"summary\">{}</p>", esc(&risk.summary));
    }
    if !risk.facts.is_empty() {
        h.push_str("<table class=\"facts\">\n<thead><tr><th>What moved the number</th><th>Without it</th><th>With it</th></tr></thead>\n<tbody>\n");
        for f in &risk.facts {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"value\">{}</td><td class=\"value\">{}</td></tr>",
                esc(&f.description),
                esc(f.without.as_deref().unwrap_or("")),
                esc(f.with.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if !risk.parameters.is_empty() {
        h.push_str("<table class=\"parameters\">\n<thead><tr><th>Parameter</th><th>Value</th><th>Reference</th></tr></thead>\n<tbody>\n");
        for p in &risk.parameters {
            let reference = match p.reference.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(id) if known.contains(id) => {
                    format!("<a href=\"#{}\">[{}]</a>", esc(&ref_anchor(id)), esc(id))
                }
                Some(id) => format!("[{}]", esc(id)),
                None => String::new(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"value\">{}</td><td>{reference}</td></tr>",
                esc(&p.name),
                esc(&p.value)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    let notes: Vec<&String> = risk.notes.iter().filter(|n| !n.trim().is_empty()).collect();
    if !notes.is_empty() {
        h.push_str("<ul class=\"notes\">\n");
        for n in notes {
            let _ = writeln!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</article>\n");
}

fn family_history(h: &mut String, r: &ReportData) {
    section_start(h, words::FAMILY_HISTORY);
    let lines: Vec<&String> = r.family_history.iter().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", words::NO_FAMILY_HISTORY);
    } else {
        h.push_str("<ul class=\"criteria\">\n");
        for l in lines {
            let _ = writeln!(h, "<li>{}</li>", esc(l));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

fn provenance(h: &mut String, r: &ReportData) {
    section_start(h, words::PROVENANCE);
    let p = &r.provenance;
    h.push_str(
        "<table class=\"provenance\">\n<thead><tr><th>Source of the facts</th><th>Facts</th></tr></thead>\n<tbody>\n",
    );
    for (label, n) in provenance_rows(p) {
        let _ = writeln!(h, "<tr><td>{label}</td><td class=\"value\">{n}</td></tr>");
    }
    h.push_str("</tbody>\n</table>\n");
    if !p.sentence.trim().is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&p.sentence));
    }
    h.push_str("</section>\n");
}

pub(crate) fn provenance_rows(p: &crate::data::ProvenanceSummary) -> [(&'static str, u32); 4] {
    [
        ("Self-reported", p.self_reported),
        ("Reported by a relative", p.reported_by_relative),
        ("Medical record", p.medical_record),
        ("Imported from a file, unverified", p.imported),
    ]
}

fn references(h: &mut String, r: &ReportData) {
    section_start(h, words::REFERENCES);
    if r.references.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", words::NO_REFERENCES);
    } else {
        h.push_str("<ol class=\"references\">\n");
        for x in &r.references {
            let _ = write!(
                h,
                "<li id=\"{}\"><span class=\"ref-id\">[{}]</span> {}",
                esc(&ref_anchor(&x.id)),
                esc(x.id.trim()),
                esc(&x.citation)
            );
            if let Some(y) = x.year {
                let _ = write!(h, " ({y})");
            }
            if let Some(url) = x.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                if is_web_url(url) {
                    let _ = write!(h, ". <a href=\"{0}\" rel=\"noreferrer\">{0}</a>", esc(url));
                } else {
                    let _ = write!(h, ". {}", esc(url));
                }
            }
            h.push_str("</li>\n");
        }
        h.push_str("</ol>\n");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn strips_the_prolog() {
        let svg = "\u{feff}<?xml version=\"1.0\"?>\n<!-- drawn -->\n<!DOCTYPE svg [ <!ENTITY a \"b\"> ]>\n<svg/>\n";
        assert_eq!(svg_for_inlining(svg), "<svg/>");
        assert_eq!(svg_for_inlining("<?xml"), "");
    }

    #[test]
    fn anchors() {
        assert_eq!(ref_anchor("scheuner 1997\"><x"), "ref-scheuner-1997---x");
    }
}
