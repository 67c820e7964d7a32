//! Code-system rules: well-formedness (SNOMED CT Verhoeff check digit, ICD-10, OMIM, MONDO, HPO
//! patterns) and the normal form codes are compared in.

use kinvault_model::CodeSystem;

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Whether a string of decimal digits ends in a valid Verhoeff check digit (the scheme SNOMED CT
/// identifiers use). False for an empty string or any non-digit.
pub fn verhoeff_is_valid(digits: &str) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut c = 0u8;
    for (i, ch) in digits.bytes().rev().enumerate() {
        if !ch.is_ascii_digit() {
            return false;
        }
        c = VERHOEFF_D[c as usize][VERHOEFF_P[i % 8][(ch - b'0') as usize] as usize];
    }
    c == 0
}

/// Whether `id` is a well-formed SNOMED CT concept identifier: 6–18 digits, no leading zero, a
/// concept partition identifier (`00` short format, `10` extension) in the second- and
/// third-last digits, and a valid Verhoeff check digit.
pub fn snomed_concept_id_is_valid(id: &str) -> bool {
    let len = id.len();
    (6..=18).contains(&len)
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
        && matches!(&id[len - 3..len - 1], "00" | "10")
        && verhoeff_is_valid(id)
}

/// ICD-10 (WHO) / ICD-10-CM shape: a letter, two digits, optionally a dot and 1–4 more
/// characters (`E84`, `C54.1`, `E78.01`).
pub fn icd10_is_well_formed(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_digit() {
        return false;
    }
    if !(b[2].is_ascii_digit()) {
        return false;
    }
    match b.len() {
        3 => true,
        4 => false,
        n => b[3] == b'.' && n <= 8 && b[4..].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
    }
}

/// OMIM MIM number: six digits, first 1–6 (phenotype and gene entries).
pub fn omim_is_well_formed(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && (b'1'..=b'6').contains(&code.as_bytes()[0])
}

fn prefixed_7_digits(code: &str, prefix: &str) -> bool {
    code.strip_prefix(prefix).is_some_and(|d| d.len() == 7 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A catalog slug: lowercase ASCII letters and digits in hyphen-separated words.
pub fn slug_is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Why `code` is not a well-formed code of `system`, or `None` if it is.
pub fn code_problem(system: CodeSystem, code: &str) -> Option<String> {
    let ok = match system {
        CodeSystem::Snomed => snomed_concept_id_is_valid(code),
        CodeSystem::Icd10 => icd10_is_well_formed(code),
        CodeSystem::Omim => omim_is_well_formed(code),
        CodeSystem::Mondo => prefixed_7_digits(code, "MONDO:"),
        CodeSystem::Hpo => prefixed_7_digits(code, "HP:"),
        CodeSystem::Kinvault => slug_is_valid(code),
        CodeSystem::Other => !code.trim().is_empty(),
    };
    if ok {
        return None;
    }
    Some(match system {
        CodeSystem::Snomed => {
            format!("`{code}` is not a SNOMED CT concept id (6–18 digits, partition 00/10, Verhoeff check digit)")
        }
        CodeSystem::Icd10 => format!("`{code}` is not an ICD-10 code (like `E84` or `C54.1`)"),
        CodeSystem::Omim => format!("`{code}` is not an OMIM number (six digits)"),
        CodeSystem::Mondo => format!("`{code}` is not a MONDO id (`MONDO:` and seven digits)"),
        CodeSystem::Hpo => format!("`{code}` is not an HPO id (`HP:` and seven digits)"),
        CodeSystem::Kinvault => format!("`{code}` is not a catalog slug"),
        CodeSystem::Other => "the code is empty".to_string(),
    })
}

/// The form codes are compared in: whitespace trimmed, common prefixes dropped (`OMIM:`,
/// `SCTID:`...), case folded where the system is case-insensitive, ICD-10 dots restored
/// (`E849` → `E84.9`), MONDO/HPO numbers given the prefix and zero padding they lack.
pub fn normalize_code(system: CodeSystem, code: &str) -> String {
    let c = code.trim();
    let strip = |c: &str, prefixes: &[&str]| -> String {
        let up = c.to_ascii_uppercase();
        for p in prefixes {
            if let Some(rest) = up.strip_prefix(p) {
                return rest.trim().to_string();
            }
        }
        up
    };
    match system {
        CodeSystem::Snomed => strip(c, &["SCTID:", "SNOMED:", "SCT:", "SNOMEDCT:", "SNOMED CT:"]),
        CodeSystem::Omim => strip(c, &["OMIM:", "MIM:", "#", "%", "*"]),
        CodeSystem::Icd10 => {
            let mut s: String = strip(c, &["ICD10:", "ICD-10:", "ICD10CM:", "ICD-10-CM:"])
                .chars()
                .filter(|ch| !ch.is_whitespace())
                .collect();
            if !s.contains('.') && s.len() > 3 && s.is_char_boundary(3) {
                s.insert(3, '.');
            }
            s
        }
        CodeSystem::Mondo => pad_prefixed(c, "MONDO"),
        CodeSystem::Hpo => pad_prefixed(c, "HP"),
        CodeSystem::Kinvault | CodeSystem::Other => c.to_lowercase(),
    }
}

fn pad_prefixed(code: &str, prefix: &str) -> String {
    let up = code.to_ascii_uppercase().replace('_', ":");
    let digits = up.strip_prefix(&format!("{prefix}:")).unwrap_or(&up);
    if !digits.is_empty() && digits.len() <= 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{prefix}:{digits:0>7}")
    } else {
        up
    }
}

/// The ICD-10 parents of a normalised code, nearest first (`C50.91` → `C50.9`, `C50`).
pub fn icd10_parents(normalized: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((cat, sub)) = normalized.split_once('.') {
        if !sub.is_ascii() {
            return vec![cat.to_string()];
        }
        for n in (1..sub.len()).rev() {
            out.push(format!("{cat}.{}", &sub[..n]));
        }
        out.push(cat.to_string());
    }
    out
}
