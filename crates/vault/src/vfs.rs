//! A thin SQLite VFS that keeps the first [`HEADER_LEN`] bytes of a vault file for the key
//! envelope and shifts the database itself behind them.
//!
//! Why: SQLCipher encrypts every page, so the wrapped data keys (which must be readable before
//! the database can be decrypted) cannot live inside the database. Putting them in a separate
//! file would break "back up the vault by copying one file". This shim wraps the platform's
//! default VFS and adds a fixed offset to every read, write, truncate and size of the *main
//! database file only*; WAL, shared-memory and journal files pass through untouched, as do locks
//! (they lock absolute bytes of the real file, which the offset does not move).
//!
//! The envelope itself is read and written through the same open file handle via custom file
//! controls ([`read_header`], [`write_header`]), never through a second descriptor: on POSIX,
//! closing any descriptor of a file drops every lock the process holds on it.
//!
//! Limitation recorded in docs/security.md: on Windows, where byte-range locks are mandatory,
//! the page that maps onto SQLite's lock bytes (at 1 GiB) would be unreadable to other
//! processes; Kinvault targets Linux first and opens a vault from one process at a time.

use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

/// Bytes reserved at the start of the vault file for the key envelope.
pub const HEADER_LEN: usize = 4096;
const OFFSET: i64 = HEADER_LEN as i64;

/// The name under which the VFS is registered.
pub const VFS_NAME: &CStr = c"kinvault-offset";

// Custom file-control opcodes (SQLite leaves values above its own range to VFSes).
const FCNTL_READ_HEADER: c_int = 0x4b56_0001;
const FCNTL_WRITE_HEADER: c_int = 0x4b56_0002;

#[repr(C)]
struct HeaderIo {
    buf: *mut u8,
    len: c_int,
    at: i64,
}

/// Our file object: SQLite's base struct, the offset to apply, then the wrapped file in the
/// bytes that follow (sized by the root VFS's `szOsFile`).
#[repr(C)]
struct OffsetFile {
    base: ffi::sqlite3_file,
    offset: i64,
}

unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    (file as *mut u8).add(std::mem::size_of::<OffsetFile>()) as *mut ffi::sqlite3_file
}

unsafe fn inner_methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    &*(*inner(file)).pMethods
}

unsafe fn root(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    (*vfs).pAppData as *mut ffi::sqlite3_vfs
}

static REGISTERED: OnceLock<Result<(), c_int>> = OnceLock::new();

/// Registers the VFS once per process. Returns SQLite's error code if that failed.
pub fn register() -> Result<(), c_int> {
    *REGISTERED.get_or_init(|| unsafe {
        let root = ffi::sqlite3_vfs_find(std::ptr::null());
        if root.is_null() {
            return Err(ffi::SQLITE_ERROR);
        }
        let vfs = Box::new(ffi::sqlite3_vfs {
            // Version 2: adds xCurrentTimeInt64; we do not expose the syscall overrides.
            iVersion: 2,
            szOsFile: (std::mem::size_of::<OffsetFile>() as c_int) + (*root).szOsFile,
            mxPathname: (*root).mxPathname,
            pNext: std::ptr::null_mut(),
            zName: VFS_NAME.as_ptr(),
            pAppData: root as *mut c_void,
            xOpen: Some(x_open),
            xDelete: Some(x_delete),
            xAccess: Some(x_access),
            xFullPathname: Some(x_full_pathname),
            xDlOpen: Some(x_dl_open),
            xDlError: Some(x_dl_error),
            xDlSym: Some(x_dl_sym),
            xDlClose: Some(x_dl_close),
            xRandomness: Some(x_randomness),
            xSleep: Some(x_sleep),
            xCurrentTime: Some(x_current_time),
            xGetLastError: Some(x_get_last_error),
            xCurrentTimeInt64: Some(x_current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        });
        // Leaked on purpose: SQLite keeps the pointer for the life of the process.
        let rc = ffi::sqlite3_vfs_register(Box::into_raw(vfs), 0);
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(rc)
        }
    })
}

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    // Version 2: shared memory for WAL, but no xFetch, so SQLite never memory-maps pages at
    // offsets we have not shifted.
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let root = root(vfs);
    let of = file as *mut OffsetFile;
    (*of).base.pMethods = std::ptr::null();
    (*of).offset = if flags & ffi::SQLITE_OPEN_MAIN_DB != 0 { OFFSET } else { 0 };
    let Some(open) = (*root).xOpen else {
        return ffi::SQLITE_ERROR;
    };
    let rc = open(root, name, inner(file), flags, out_flags);
    if rc == ffi::SQLITE_OK {
        (*of).base.pMethods = &IO_METHODS;
    }
    rc
}

macro_rules! forward_vfs {
    ($name:ident, $field:ident, ($($arg:ident : $ty:ty),*) -> $ret:ty, $default:expr) => {
        unsafe extern "C" fn $name(vfs: *mut ffi::sqlite3_vfs, $($arg: $ty),*) -> $ret {
            let root = root(vfs);
            match (*root).$field {
                Some(f) => f(root, $($arg),*),
                None => $default,
            }
        }
    };
}

forward_vfs!(x_delete, xDelete, (name: *const c_char, sync_dir: c_int) -> c_int, ffi::SQLITE_ERROR);
forward_vfs!(x_access, xAccess, (name: *const c_char, flags: c_int, out: *mut c_int) -> c_int, ffi::SQLITE_ERROR);
forward_vfs!(x_full_pathname, xFullPathname, (name: *const c_char, n: c_int, out: *mut c_char) -> c_int, ffi::SQLITE_ERROR);
forward_vfs!(x_dl_open, xDlOpen, (name: *const c_char) -> *mut c_void, std::ptr::null_mut());
forward_vfs!(x_dl_error, xDlError, (n: c_int, out: *mut c_char) -> (), ());
forward_vfs!(x_dl_close, xDlClose, (handle: *mut c_void) -> (), ());
forward_vfs!(x_randomness, xRandomness, (n: c_int, out: *mut c_char) -> c_int, 0);
forward_vfs!(x_sleep, xSleep, (micros: c_int) -> c_int, 0);
forward_vfs!(x_current_time, xCurrentTime, (out: *mut f64) -> c_int, ffi::SQLITE_ERROR);
forward_vfs!(x_get_last_error, xGetLastError, (n: c_int, out: *mut c_char) -> c_int, 0);
forward_vfs!(x_current_time_int64, xCurrentTimeInt64, (out: *mut ffi::sqlite3_int64) -> c_int, ffi::SQLITE_ERROR);

type DlSym = Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)>;

unsafe extern "C" fn x_dl_sym(vfs: *mut ffi::sqlite3_vfs, handle: *mut c_void, symbol: *const c_char) -> DlSym {
    let root = root(vfs);
    match (*root).xDlSym {
        Some(f) => f(root, handle, symbol),
        None => None,
    }
}

macro_rules! forward_io {
    ($name:ident, $field:ident, ($($arg:ident : $ty:ty),*) -> $ret:ty, $default:expr) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file, $($arg: $ty),*) -> $ret {
            match inner_methods(file).$field {
                Some(f) => f(inner(file), $($arg),*),
                None => $default,
            }
        }
    };
}

forward_io!(x_sync, xSync, (flags: c_int) -> c_int, ffi::SQLITE_OK);
forward_io!(x_lock, xLock, (level: c_int) -> c_int, ffi::SQLITE_OK);
forward_io!(x_unlock, xUnlock, (level: c_int) -> c_int, ffi::SQLITE_OK);
forward_io!(x_check_reserved_lock, xCheckReservedLock, (out: *mut c_int) -> c_int, ffi::SQLITE_OK);
forward_io!(x_sector_size, xSectorSize, () -> c_int, 4096);
forward_io!(x_device_characteristics, xDeviceCharacteristics, () -> c_int, 0);
forward_io!(x_shm_map, xShmMap, (region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void) -> c_int, ffi::SQLITE_IOERR);
forward_io!(x_shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int) -> c_int, ffi::SQLITE_IOERR);
forward_io!(x_shm_barrier, xShmBarrier, () -> (), ());
forward_io!(x_shm_unmap, xShmUnmap, (delete: c_int) -> c_int, ffi::SQLITE_OK);

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let rc = match inner_methods(file).xClose {
        Some(f) => f(inner(file)),
        None => ffi::SQLITE_OK,
    };
    (*file).pMethods = std::ptr::null();
    rc
}

unsafe extern "C" fn x_read(file: *mut ffi::sqlite3_file, buf: *mut c_void, amt: c_int, ofst: i64) -> c_int {
    let off = (*(file as *mut OffsetFile)).offset;
    match inner_methods(file).xRead {
        Some(f) => f(inner(file), buf, amt, ofst + off),
        None => ffi::SQLITE_IOERR_READ,
    }
}

unsafe extern "C" fn x_write(file: *mut ffi::sqlite3_file, buf: *const c_void, amt: c_int, ofst: i64) -> c_int {
    let off = (*(file as *mut OffsetFile)).offset;
    match inner_methods(file).xWrite {
        Some(f) => f(inner(file), buf, amt, ofst + off),
        None => ffi::SQLITE_IOERR_WRITE,
    }
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    let off = (*(file as *mut OffsetFile)).offset;
    match inner_methods(file).xTruncate {
        Some(f) => f(inner(file), size + off),
        None => ffi::SQLITE_IOERR_TRUNCATE,
    }
}

unsafe extern "C" fn x_file_size(file: *mut ffi::sqlite3_file, out: *mut i64) -> c_int {
    let off = (*(file as *mut OffsetFile)).offset;
    let Some(f) = inner_methods(file).xFileSize else {
        return ffi::SQLITE_IOERR_FSTAT;
    };
    let mut size = 0i64;
    let rc = f(inner(file), &mut size);
    *out = (size - off).max(0);
    rc
}

unsafe extern "C" fn x_file_control(file: *mut ffi::sqlite3_file, op: c_int, arg: *mut c_void) -> c_int {
    let of = file as *mut OffsetFile;
    let methods = inner_methods(file);
    match op {
        FCNTL_READ_HEADER | FCNTL_WRITE_HEADER => {
            if (*of).offset == 0 {
                return ffi::SQLITE_NOTFOUND;
            }
            let io = &*(arg as *const HeaderIo);
            if io.at < 0 || io.len < 0 || io.at + i64::from(io.len) > OFFSET {
                return ffi::SQLITE_RANGE;
            }
            if op == FCNTL_READ_HEADER {
                match methods.xRead {
                    // A short read (new, empty file) zero-fills and returns SHORT_READ: that is fine.
                    Some(f) => match f(inner(file), io.buf as *mut c_void, io.len, io.at) {
                        ffi::SQLITE_IOERR_SHORT_READ => ffi::SQLITE_OK,
                        rc => rc,
                    },
                    None => ffi::SQLITE_IOERR_READ,
                }
            } else {
                let (Some(w), Some(s)) = (methods.xWrite, methods.xSync) else {
                    return ffi::SQLITE_IOERR_WRITE;
                };
                let rc = w(inner(file), io.buf as *const c_void, io.len, io.at);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                s(inner(file), ffi::SQLITE_SYNC_FULL)
            }
        }
        ffi::SQLITE_FCNTL_SIZE_HINT if !arg.is_null() => {
            let mut hint = *(arg as *const i64) + (*of).offset;
            match methods.xFileControl {
                Some(f) => f(inner(file), op, &mut hint as *mut i64 as *mut c_void),
                None => ffi::SQLITE_NOTFOUND,
            }
        }
        _ => match methods.xFileControl {
            Some(f) => f(inner(file), op, arg),
            None => ffi::SQLITE_NOTFOUND,
        },
    }
}

fn header_io(conn: &rusqlite::Connection, op: c_int, buf: *mut u8, len: usize, at: usize) -> rusqlite::Result<()> {
    let mut io = HeaderIo { buf, len: len as c_int, at: at as i64 };
    // SAFETY: the connection is open; SQLite passes `io` to our x_file_control on the main
    // database file, which bounds-checks it against the header region.
    let rc = unsafe {
        ffi::sqlite3_file_control(conn.handle(), c"main".as_ptr(), op, &mut io as *mut HeaderIo as *mut c_void)
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some("vault header I/O failed".into())))
    }
}

/// Reads `len` bytes of the envelope region at `at` (zero-filled past the end of a short file).
pub fn read_header(conn: &rusqlite::Connection, at: usize, len: usize) -> rusqlite::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    header_io(conn, FCNTL_READ_HEADER, buf.as_mut_ptr(), len, at)?;
    Ok(buf)
}

/// Writes and fsyncs bytes of the envelope region.
pub fn write_header(conn: &rusqlite::Connection, at: usize, bytes: &[u8]) -> rusqlite::Result<()> {
    header_io(conn, FCNTL_WRITE_HEADER, bytes.as_ptr() as *mut u8, bytes.len(), at)
}
