//! GEDZIP (`.gdz`, GEDCOM 7): a zip archive holding `gedcom.ged` at its root and the media files
//! its `FILE` structures point to by relative path.
//!
//! Reading lists the media entries and hands out their bytes on request (nothing is extracted
//! to disk, so hostile entry names such as `../x` are only ever strings here). Entries are
//! capped at [`MAX_ENTRY_BYTES`] so a zip bomb cannot exhaust memory.

use std::io::{self, Read, Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::Document;

/// Name of the GEDCOM entry in a GEDZIP archive.
pub const GEDCOM_ENTRY: &str = "gedcom.ged";

/// Largest entry (after decompression) that is read into memory: 2 GiB.
pub const MAX_ENTRY_BYTES: u64 = 2 << 30;

/// Why a GEDZIP archive could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum GedzipError {
    /// Not a zip archive, or a damaged one.
    #[error("not a readable GEDZIP (zip) archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// No `gedcom.ged` at the root.
    #[error("the GEDZIP archive has no gedcom.ged at its root")]
    NoGedcom,
    /// [`Archive::media_bytes`] for a name that is not in the archive.
    #[error("the GEDZIP archive has no media file {0:?}")]
    NoSuchMedia(String),
    /// An entry larger than [`MAX_ENTRY_BYTES`].
    #[error("{name:?} in the GEDZIP archive is larger than {max} bytes")]
    TooLarge {
        /// The entry.
        name: String,
        /// The limit.
        max: u64,
    },
    /// A media name that cannot go into an archive (absolute, `..`, empty, or `gedcom.ged`).
    #[error("invalid media file name {0:?}: it must be a relative path without '..', other than gedcom.ged")]
    InvalidName(String),
    /// Reading or writing an entry failed.
    #[error("I/O error on {name:?} in the GEDZIP archive: {source}")]
    Io {
        /// The entry.
        name: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// `gedcom.ged` is not GEDCOM.
    #[error("gedcom.ged in the GEDZIP archive: {0}")]
    Gedcom(#[from] crate::Error),
}

/// A media file in a GEDZIP archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaEntry {
    /// The entry's path in the archive (`media/photo.jpg`), as `FILE` refers to it once
    /// percent-decoded.
    pub name: String,
    /// Uncompressed size in bytes, as the archive declares it.
    pub size: u64,
}

/// An open GEDZIP archive.
pub struct Archive<R: Read + Seek> {
    zip: ZipArchive<R>,
    gedcom_index: usize,
    media: Vec<(MediaEntry, usize)>,
}

/// Opens a GEDZIP archive (e.g. a `File` or `Cursor<&[u8]>`).
pub fn open<R: Read + Seek>(reader: R) -> Result<Archive<R>, GedzipError> {
    let mut zip = ZipArchive::new(reader)?;
    let mut gedcom_index = None;
    let mut media = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name()?.into_owned();
        if name == GEDCOM_ENTRY {
            gedcom_index.get_or_insert(i);
        } else {
            media.push((MediaEntry { name, size: entry.size() }, i));
        }
    }
    let gedcom_index = gedcom_index.ok_or(GedzipError::NoGedcom)?;
    Ok(Archive { zip, gedcom_index, media })
}

/// An archive read from memory.
pub type MemoryArchive<'a> = Archive<io::Cursor<&'a [u8]>>;

/// Opens a GEDZIP archive held in memory and reads its GEDCOM.
pub fn read(bytes: &[u8]) -> Result<(Document, MemoryArchive<'_>), GedzipError> {
    let mut archive = open(io::Cursor::new(bytes))?;
    let doc = archive.read_document()?;
    Ok((doc, archive))
}

impl<R: Read + Seek> Archive<R> {
    /// The raw bytes of `gedcom.ged`.
    pub fn gedcom_bytes(&mut self) -> Result<Vec<u8>, GedzipError> {
        read_entry(&mut self.zip, self.gedcom_index, GEDCOM_ENTRY)
    }

    /// Reads `gedcom.ged` (see [`crate::read`]).
    pub fn read_document(&mut self) -> Result<Document, GedzipError> {
        let bytes = self.gedcom_bytes()?;
        Ok(crate::read(&bytes)?)
    }

    /// The media entries (every file but `gedcom.ged`), in archive order.
    pub fn media(&self) -> impl ExactSizeIterator<Item = &MediaEntry> + '_ {
        self.media.iter().map(|(m, _)| m)
    }

    /// The bytes of the media entry with this name.
    pub fn media_bytes(&mut self, name: &str) -> Result<Vec<u8>, GedzipError> {
        let index = self
            .media
            .iter()
            .find(|(m, _)| m.name == name)
            .map(|(_, i)| *i)
            .ok_or_else(|| GedzipError::NoSuchMedia(name.to_string()))?;
        read_entry(&mut self.zip, index, name)
    }

    /// The media entry a `FILE` value refers to: `FILE` holds a URI reference, so
    /// `media/Bront%C3%AB.jpg` names the entry `media/Brontë.jpg`. `None` for external URLs
    /// and missing files.
    pub fn media_for_file_ref(&self, file: &str) -> Option<&MediaEntry> {
        let path = percent_decode(file.trim());
        let path = path.strip_prefix("./").unwrap_or(&path);
        self.media().find(|m| m.name == path)
    }
}

fn read_entry<R: Read + Seek>(zip: &mut ZipArchive<R>, index: usize, name: &str) -> Result<Vec<u8>, GedzipError> {
    let entry = zip.by_index(index)?;
    if entry.size() > MAX_ENTRY_BYTES {
        return Err(GedzipError::TooLarge { name: name.to_string(), max: MAX_ENTRY_BYTES });
    }
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(64 << 20));
    // The declared size may lie: never read more than the cap.
    entry
        .take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|source| GedzipError::Io { name: name.to_string(), source })?;
    if out.len() as u64 > MAX_ENTRY_BYTES {
        return Err(GedzipError::TooLarge { name: name.to_string(), max: MAX_ENTRY_BYTES });
    }
    Ok(out)
}

/// `%XX` → byte, then UTF-8 (lossy). Malformed escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a GEDZIP archive entry by entry: [`GedzipWriter::add_media`] for each file, then
/// [`GedzipWriter::finish`] with the GEDCOM bytes (e.g. from [`crate::write`] with
/// [`crate::WriteOptions::gedcom_70`]).
pub struct GedzipWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
}

impl<W: Write + Seek> GedzipWriter<W> {
    /// Starts an archive.
    pub fn new(out: W) -> GedzipWriter<W> {
        GedzipWriter { zip: ZipWriter::new(out) }
    }

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(false)
    }

    /// Adds a media file under `name` (a relative path such as `media/photo.jpg`; `FILE` should
    /// refer to it percent-encoded where needed).
    pub fn add_media(&mut self, name: &str, content: &mut dyn Read) -> Result<(), GedzipError> {
        let bad = name.is_empty()
            || name == GEDCOM_ENTRY
            || name.starts_with('/')
            || name.contains('\\')
            || name.contains('\0')
            || name.split('/').any(|part| part == ".." || part.is_empty());
        if bad {
            return Err(GedzipError::InvalidName(name.to_string()));
        }
        // Large media may exceed 4 GiB only in zip64; allow it for media.
        self.zip.start_file(name, Self::options().large_file(true))?;
        io::copy(content, &mut self.zip).map_err(|source| GedzipError::Io { name: name.to_string(), source })?;
        Ok(())
    }

    /// Adds `gedcom.ged` and closes the archive.
    pub fn finish(mut self, gedcom: &[u8]) -> Result<W, GedzipError> {
        self.zip.start_file(GEDCOM_ENTRY, Self::options())?;
        self.zip.write_all(gedcom).map_err(|source| GedzipError::Io { name: GEDCOM_ENTRY.to_string(), source })?;
        Ok(self.zip.finish()?)
    }
}

/// Writes a whole GEDZIP archive: `gedcom.ged` plus `(name, bytes)` media files.
pub fn write<W: Write + Seek>(out: W, gedcom: &[u8], media: &[(&str, &[u8])]) -> Result<W, GedzipError> {
    let mut w = GedzipWriter::new(out);
    for (name, mut bytes) in media.iter().copied() {
        w.add_media(name, &mut bytes)?;
    }
    w.finish(gedcom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("media/Bront%C3%AB.jpg"), "media/Brontë.jpg");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz%20"), "a%zz ");
    }

    #[test]
    fn write_then_read() {
        let ged = b"0 HEAD\n1 GEDC\n2 VERS 7.0\n0 @O1@ OBJE\n1 FILE media/a%20b.txt\n2 FORM text/plain\n0 TRLR\n";
        let out = write(io::Cursor::new(Vec::new()), ged, &[("media/a b.txt", b"hello")]).unwrap().into_inner();
        let (doc, mut archive) = read(&out).unwrap();
        assert_eq!(doc.records.len(), 1);
        let file = doc.records[0].child("FILE").and_then(|f| f.text()).unwrap();
        let entry = archive.media_for_file_ref(file).unwrap().clone();
        assert_eq!(entry, MediaEntry { name: "media/a b.txt".into(), size: 5 });
        assert_eq!(archive.media_bytes(&entry.name).unwrap(), b"hello");
        assert!(matches!(archive.media_bytes("nope"), Err(GedzipError::NoSuchMedia(_))));
    }

    #[test]
    fn bad_names_and_archives() {
        let mut w = GedzipWriter::new(io::Cursor::new(Vec::new()));
        for name in ["../x", "/etc/passwd", "gedcom.ged", "", "a//b"] {
            assert!(matches!(w.add_media(name, &mut &b""[..]), Err(GedzipError::InvalidName(_))), "{name}");
        }
        assert!(matches!(read(b"not a zip"), Err(GedzipError::Zip(_))));
        let no_ged = write(io::Cursor::new(Vec::new()), b"", &[]).unwrap().into_inner();
        // an archive with only gedcom.ged is fine; one without is not
        assert!(read(&no_ged).is_err()); // empty gedcom.ged is not GEDCOM
        let mut zw = ZipWriter::new(io::Cursor::new(Vec::new()));
        zw.start_file("x.txt", SimpleFileOptions::default()).unwrap();
        let bytes = zw.finish().unwrap().into_inner();
        assert!(matches!(read(&bytes), Err(GedzipError::NoGedcom)));
    }
}
