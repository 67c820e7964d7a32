//! `kinvault`: the command line. Every command is a thin call into `kinvault-api`, so anything
//! the desktop app can do can be scripted and tested from here.
//!
//! Passphrases never come from argv (they would show in `ps` and shell history): they come from
//! `KINVAULT_PASSPHRASE`, `--passphrase-file`, or a prompt on the terminal.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kinvault_api::model::{Person, Sex};
use kinvault_api::{
    people, transfer, vault_ops, ExportFormat, ExportRequest, NewPerson, PeopleQuery, ProgressPhase, Vault,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "kinvault",
    version,
    about = "Your family tree and family health history, encrypted on your own computer."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Secrets {
    /// Read the passphrase from this file (first line) instead of KINVAULT_PASSPHRASE or a prompt.
    #[arg(long, value_name = "FILE", global = true)]
    passphrase_file: Option<PathBuf>,
}

#[derive(Args)]
struct VaultArg {
    /// The vault file.
    #[arg(value_name = "VAULT")]
    vault: PathBuf,
    #[command(flatten)]
    secrets: Secrets,
}

#[derive(Args)]
struct NewVaultArg {
    /// Where to create the vault (default: family.kinvault in the platform data folder, or in
    /// $KINVAULT_DATA_DIR).
    #[arg(value_name = "VAULT")]
    vault: Option<PathBuf>,
    #[command(flatten)]
    secrets: Secrets,
}

#[derive(Args)]
struct JsonFlag {
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted vault and print its recovery key (shown once: store it safely).
    Init {
        #[command(flatten)]
        v: NewVaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Change the passphrase (new one from KINVAULT_NEW_PASSPHRASE, --new-passphrase-file or a prompt).
    Passwd {
        #[command(flatten)]
        v: VaultArg,
        /// Read the new passphrase from this file.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Forgotten passphrase: unlock with the recovery key (KINVAULT_RECOVERY_KEY, --recovery-key-file
    /// or a prompt) and set a new passphrase.
    Recover {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Check the vault's integrity (pages, encryption MACs, records). Exit code 1 if damaged.
    Check {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Counts of what the vault holds.
    Stats {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Import a GEDCOM file (.ged, any version and encoding) or a GEDZIP archive (.gdz) into the
    /// vault. All or nothing: on an error the vault is left as it was.
    Import {
        #[command(flatten)]
        v: VaultArg,
        /// The GEDCOM or GEDZIP file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Export the vault as GEDCOM. People who may be living and health data are left out unless
    /// asked for.
    Export {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The file to write (replaced if it exists).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Include people who may be living (no death recorded, born less than 110 years ago).
        #[arg(long)]
        include_living: bool,
        /// Include conditions, genetic tests, causes of death and medical facts.
        #[arg(long)]
        include_health: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Add, list, show or delete people.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SexArg {
    M,
    F,
    X,
    U,
}

impl From<SexArg> for Sex {
    fn from(s: SexArg) -> Sex {
        match s {
            SexArg::M => Sex::Male,
            SexArg::F => Sex::Female,
            SexArg::X => Sex::Intersex,
            SexArg::U => Sex::Unknown,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    #[value(name = "gedcom-5.5.1")]
    Gedcom551,
    #[value(name = "gedcom-7")]
    Gedcom7,
    #[value(name = "gedzip")]
    Gedzip,
}

impl From<FormatArg> for ExportFormat {
    fn from(f: FormatArg) -> ExportFormat {
        match f {
            FormatArg::Gedcom551 => ExportFormat::Gedcom551,
            FormatArg::Gedcom7 => ExportFormat::Gedcom7,
            FormatArg::Gedzip => ExportFormat::Gedzip,
        }
    }
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Add a person; prints the new id.
    Add {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, default_value = "")]
        given: String,
        #[arg(long, default_value = "")]
        surname: String,
        /// Sex recorded at birth.
        #[arg(long, value_enum, ignore_case = true, default_value = "u")]
        sex: SexArg,
        /// Birth date, GEDCOM style: "10 DEC 1815", "ABT 1850", "BET 1850 AND 1860".
        #[arg(long)]
        birth: Option<String>,
        /// Death date, GEDCOM style.
        #[arg(long)]
        death: Option<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List people sorted by surname, optionally filtered.
    List {
        #[command(flatten)]
        v: VaultArg,
        /// Words that must all occur in a name or xref.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Show one person by id or GEDCOM xref.
    Show {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Delete a person (and remove them from their families).
    Delete {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// A secret from, in order: a file, an environment variable, a terminal prompt.
fn secret(file: Option<&Path>, env: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>> {
    if let Some(f) = file {
        let text = Zeroizing::new(std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?);
        let line = text.lines().next().unwrap_or("");
        return Ok(Zeroizing::new(line.to_string()));
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the {prompt}: set {env} or pass the matching --…-file option");
    }
    let first =
        Zeroizing::new(rpassword::prompt_password(format!("{prompt}: ")).context("cannot read from the terminal")?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password(format!("{prompt} (again): "))?);
        if *again != *first {
            bail!("the two entries differ");
        }
    }
    Ok(first)
}

fn passphrase(v: &VaultArg) -> Result<Zeroizing<String>> {
    secret(v.secrets.passphrase_file.as_deref(), "KINVAULT_PASSPHRASE", "Passphrase", false)
}

fn open(v: &VaultArg) -> Result<Vault> {
    let pass = passphrase(v)?;
    Ok(vault_ops::open(&v.vault, &pass)?)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn life(p: &Person) -> String {
    let b = p.birth().map(|d| d.original.clone()).unwrap_or_default();
    let d = p.death().map(|d| d.original.clone()).unwrap_or_default();
    if b.is_empty() && d.is_empty() {
        String::new()
    } else {
        format!("{b} – {d}")
    }
}

/// A progress bar on stderr when it is a terminal (hidden otherwise, so scripts and logs stay
/// clean).
fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg:10} [{bar:40}] {percent:>3}% {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn phase_label(p: ProgressPhase) -> &'static str {
    match p {
        ProgressPhase::Reading => "reading",
        ProgressPhase::Importing => "importing",
        ProgressPhase::Media => "media",
        ProgressPhase::Checking => "checking",
        ProgressPhase::Scanning => "scanning",
        ProgressPhase::Exporting => "exporting",
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Init { v, out } => {
            let path = match v.vault {
                Some(p) => p,
                None => kinvault_api::default_vault_path()
                    .ok_or_else(|| anyhow!("no VAULT given and no home folder to put one in"))?,
            };
            let pass = secret(v.secrets.passphrase_file.as_deref(), "KINVAULT_PASSPHRASE", "New passphrase", true)?;
            let (vault, recovery) = vault_ops::create(&path, &pass)?;
            if out.json {
                print_json(&serde_json::json!({ "vault": vault_ops::info(&vault)?, "recovery_key": recovery }))?;
            } else {
                eprintln!("Created {}", path.display());
                eprintln!("Recovery key — write it down and keep it apart from the computer. It is shown only now,");
                eprintln!("and it is the only way back in if the passphrase is forgotten:");
                println!("{recovery}");
            }
        }
        Command::Passwd { v, new_passphrase_file } => {
            let mut vault = open(&v)?;
            let new = secret(new_passphrase_file.as_deref(), "KINVAULT_NEW_PASSPHRASE", "New passphrase", true)?;
            vault.change_passphrase(&new).map_err(kinvault_api::ApiError::from)?;
            eprintln!("Passphrase changed.");
        }
        Command::Recover { v, recovery_key_file, new_passphrase_file } => {
            let path = v.vault;
            let key = secret(recovery_key_file.as_deref(), "KINVAULT_RECOVERY_KEY", "Recovery key", false)?;
            let new = secret(new_passphrase_file.as_deref(), "KINVAULT_NEW_PASSPHRASE", "New passphrase", true)?;
            vault_ops::recover(&path, &key, &new)?;
            eprintln!("Passphrase reset. The recovery key still works; keep it safe.");
        }
        Command::Check { v, out } => {
            let vault = open(&v)?;
            let report = vault_ops::check(&vault)?;
            if out.json {
                print_json(&report)?;
            } else if report.ok {
                println!("ok");
            } else {
                for p in &report.problems {
                    println!("{p}");
                }
            }
            if !report.ok {
                return Ok(1);
            }
        }
        Command::Stats { v, out } => {
            let vault = open(&v)?;
            let stats = vault_ops::info(&vault)?.stats;
            if out.json {
                print_json(&stats)?;
            } else {
                println!("individuals    {}", stats.individuals);
                println!("families       {}", stats.families);
                println!("sources        {}", stats.sources);
                println!("conditions     {}", stats.conditions);
                println!("genetic tests  {}", stats.genetic_tests);
                println!("changes        {}", stats.changes);
                println!("schema         {}", stats.schema_version);
                println!("file bytes     {}", stats.file_bytes);
            }
        }
        Command::Import { v, file, out } => {
            let mut vault = open(&v)?;
            let bar = progress_bar();
            let progress = |phase: ProgressPhase, done: u64, total: u64| {
                bar.set_message(phase_label(phase));
                bar.set_length(total.max(1));
                bar.set_position(done);
                true
            };
            let report = transfer::import_gedcom(&mut vault, &file, &progress);
            bar.finish_and_clear();
            let report = report?;
            if out.json {
                print_json(&report)?;
            } else {
                println!("individuals    {}", report.individuals);
                println!("families       {}", report.families);
                println!("sources        {}", report.sources);
                println!("media          {}", report.media);
                println!("other records  {}", report.other_records);
                println!("health         {}", report.health_observations);
                println!("warnings       {}", report.warnings.len());
                eprintln!("Imported {} ({} {}, {}).", file.display(), report.format, report.version, report.encoding);
                if report.health_observations > 0 {
                    eprintln!("Health observations from the file are marked \"imported from GEDCOM, unverified\".");
                }
                if report.media_files > 0 {
                    eprintln!("Stored {} media files from the archive.", report.media_files);
                }
                if !report.warnings.is_empty() {
                    eprintln!("Use --json to list the warnings.");
                }
            }
        }
        Command::Export { v, format, output, include_living, include_health, out } => {
            let vault = open(&v)?;
            let req = ExportRequest {
                path: output.display().to_string(),
                format: format.into(),
                include_living,
                include_health,
            };
            let bar = progress_bar();
            let progress = |phase: ProgressPhase, done: u64, total: u64| {
                bar.set_message(phase_label(phase));
                bar.set_length(total.max(1));
                bar.set_position(done);
                true
            };
            let report = transfer::export_gedcom(&vault, &req, &progress);
            bar.finish_and_clear();
            let report = report?;
            if out.json {
                print_json(&report)?;
            } else {
                println!("individuals    {}", report.individuals);
                println!("families       {}", report.families);
                println!("sources        {}", report.sources);
                println!("other records  {}", report.other_records);
                eprintln!("Wrote {} ({}, {} bytes).", report.path, report.format.name(), report.bytes);
                if report.media_files > 0 {
                    eprintln!("The archive holds {} media files.", report.media_files);
                }
                if report.records_excluded > 0 {
                    eprintln!(
                        "Left out {} records only those people point to (their shared notes, media).",
                        report.records_excluded
                    );
                }
                if report.living_excluded > 0 {
                    eprintln!(
                        "Left out {} people who may be living (--include-living to include them).",
                        report.living_excluded
                    );
                }
                if report.health_excluded > 0 {
                    eprintln!("Left out {} health items (--include-health to include them).", report.health_excluded);
                }
            }
        }
        Command::Person { command } => match command {
            PersonCommand::Add { v, given, surname, sex, birth, death, out } => {
                let mut vault = open(&v)?;
                let p = people::add(&mut vault, &NewPerson { given, surname, sex: sex.into(), birth, death })?;
                if out.json {
                    print_json(&p)?;
                } else {
                    println!("{}", p.id);
                }
            }
            PersonCommand::List { v, search, offset, limit, out } => {
                let vault = open(&v)?;
                let page = people::list(&vault, &PeopleQuery { search, offset, limit })?;
                if out.json {
                    print_json(&page)?;
                } else {
                    for p in &page.items {
                        let years = match (p.birth_year, p.death_year) {
                            (None, None) => String::new(),
                            (b, d) => format!(
                                "{}–{}",
                                b.map(|y| y.to_string()).unwrap_or_default(),
                                d.map(|y| y.to_string()).unwrap_or_default()
                            ),
                        };
                        println!("{}  {}  {}  {}", p.id, p.sex.code(), p.display_name, years);
                    }
                    eprintln!("{} of {} shown", page.items.len(), page.total);
                }
            }
            PersonCommand::Show { v, id, out } => {
                let vault = open(&v)?;
                let p = people::resolve(&vault, &id)?;
                if out.json {
                    print_json(&p)?;
                } else {
                    println!("{}  {}", p.id, p.display_name());
                    println!("sex     {}", p.sex.code());
                    let l = life(&p);
                    if !l.is_empty() {
                        println!("life    {l}");
                    }
                    println!("health  {} conditions, {} genetic tests", p.conditions.len(), p.genetic_tests.len());
                }
            }
            PersonCommand::Delete { v, id } => {
                let mut vault = open(&v)?;
                let p = people::resolve(&vault, &id)?;
                people::delete(&mut vault, p.id)?;
                eprintln!("Deleted {}", p.id);
            }
        },
    }
    Ok(0)
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KINVAULT_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the reason, with its causes joined.
            let msg = e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("kinvault: {msg}");
            std::process::exit(1);
        }
    }
}
