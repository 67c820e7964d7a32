//! Text normalisation for search and label matching: accents, case, punctuation and spacing do
//! not matter ("Tay–Sachs", "tay sachs" and "TAY-SACHS" are the same words).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercase words separated by single spaces: compatibility-decomposed, combining marks
/// dropped, apostrophes dropped ("Huntington's" → "huntingtons"), every other character that is
/// not a letter or digit treated as a word break.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.nfkd() {
        if is_combining_mark(c) || matches!(c, '\'' | '’' | 'ʼ' | '`') {
            continue;
        }
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// Whether `query` (normalised) starts `text` (normalised) or one of its words.
pub fn starts_word(text: &str, query: &str) -> bool {
    text.starts_with(query) || text.match_indices(query).any(|(i, _)| i > 0 && text.as_bytes()[i - 1] == b' ')
}
