//! People: add, list/search, show, edit, delete.

use crate::{ApiError, ErrorKind, NewPerson, PeoplePage, PeopleQuery, PersonSummary, Result};
use kinvault_model::{EventKind, Person, PersonName, Sex};
use kinvault_vault::{PersonRow, Vault};
use uuid::Uuid;

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// Parses a person reference: a UUID, or a GEDCOM xref (`@I1@` or `I1`).
pub fn resolve(vault: &Vault, reference: &str) -> Result<Person> {
    let r = reference.trim();
    if let Ok(id) = Uuid::parse_str(r) {
        if let Some(p) = vault.get_person(id)? {
            return Ok(p);
        }
    }
    let xref = if r.starts_with('@') { r.to_string() } else { format!("@{r}@") };
    vault
        .find_person_by_xref(&xref)?
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, format!("no person with id or xref {r:?} in this vault")))
}

pub(crate) fn validate_date(label: &str, text: &Option<String>) -> Result<()> {
    if let Some(t) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if kinvault_model::GDate::parse(t).qualifier == kinvault_model::DateQualifier::Unparsed {
            return Err(ApiError::invalid(format!(
                "{label} date {t:?} is not a date Kinvault understands; write e.g. \"10 DEC 1815\", \"ABT 1850\", \"BET 1850 AND 1860\" or \"(free text in brackets)\""
            )));
        }
    }
    Ok(())
}

pub fn add(vault: &mut Vault, input: &NewPerson) -> Result<Person> {
    if input.given.trim().is_empty() && input.surname.trim().is_empty() {
        return Err(ApiError::invalid("a person needs a given name or a surname"));
    }
    validate_date("birth", &input.birth)?;
    validate_date("death", &input.death)?;
    let mut p = Person::new(PersonName::new(&input.given, &input.surname), input.sex);
    p.set_event_date(EventKind::Birth, input.birth.as_deref());
    p.set_event_date(EventKind::Death, input.death.as_deref());
    sync_vital_status(&mut p);
    vault.write(|tx| tx.put_person(&p))?;
    Ok(p)
}

/// Replaces a person's record. Dates are re-parsed from their original text, so the sortable
/// range always matches what the user typed.
pub fn update(vault: &mut Vault, mut person: Person) -> Result<Person> {
    if vault.get_person(person.id)?.is_none() {
        return Err(ApiError::new(ErrorKind::NotFound, format!("person {} is not in this vault", person.id)));
    }
    for e in &mut person.events {
        if let Some(d) = &e.date {
            let text = d.original.trim().to_string();
            e.date = (!text.is_empty()).then(|| kinvault_model::GDate::parse(&text));
        }
    }
    sync_vital_status(&mut person);
    vault.write(|tx| tx.put_person(&person))?;
    Ok(person)
}

/// A recorded death makes the person deceased, with the death date; the event is the fact the
/// user edits, the vital status follows it.
fn sync_vital_status(p: &mut Person) {
    use kinvault_model::VitalStatus;
    let Some(death) = p.death().cloned() else { return };
    match &mut p.vital_status {
        VitalStatus::Deceased { date, .. } => *date = Some(death),
        other => *other = VitalStatus::Deceased { age: None, date: Some(death), cause: None },
    }
}

pub fn delete(vault: &mut Vault, id: Uuid) -> Result<()> {
    vault.write(|tx| tx.delete_person(id))?;
    Ok(())
}

pub fn list(vault: &Vault, q: &PeopleQuery) -> Result<PeoplePage> {
    let limit = match q.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let (total, rows) = vault.list_people(q.search.as_deref(), q.offset, limit)?;
    Ok(PeoplePage {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        offset: q.offset,
        items: rows.into_iter().map(summary).collect(),
    })
}

/// "Given Surname", leaving out an empty part.
pub(crate) fn display_name(given: &str, surname: &str) -> String {
    [given, surname].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

fn summary(r: PersonRow) -> PersonSummary {
    let display_name = display_name(&r.given, &r.surname);
    let year = |k: Option<i64>| k.map(|k| k.div_euclid(10_000) as i32);
    PersonSummary {
        id: r.id,
        xref: r.xref,
        display_name,
        given: r.given,
        surname: r.surname,
        sex: Sex::parse(&r.sex).unwrap_or_default(),
        birth_year: year(r.birth_sort),
        death_year: year(r.death_sort),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinvault_vault::KdfParams;

    fn vault() -> (tempfile::TempDir, Vault) {
        let d = tempfile::tempdir().unwrap();
        let (v, _) = Vault::create(&d.path().join("v.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap();
        (d, v)
    }

    #[test]
    fn add_list_resolve_update_delete() {
        let (_d, mut v) = vault();
        let ada = add(
            &mut v,
            &NewPerson {
                given: "Ada".into(),
                surname: "Lovelace".into(),
                sex: Sex::Female,
                birth: Some("10 DEC 1815".into()),
                death: Some("27 NOV 1852".into()),
            },
        )
        .unwrap();
        add(&mut v, &NewPerson { given: "Charles".into(), surname: "Babbage".into(), ..Default::default() }).unwrap();
        let page = list(&v, &PeopleQuery::default()).unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.items[0].surname, "Babbage", "sorted by surname");
        assert_eq!((page.items[1].birth_year, page.items[1].death_year), (Some(1815), Some(1852)));
        assert_eq!(resolve(&v, &ada.id.to_string()).unwrap().id, ada.id);
        assert!(matches!(ada.vital_status, kinvault_model::VitalStatus::Deceased { .. }));

        let mut edited = ada.clone();
        edited.names[0].given = "Augusta Ada".into();
        edited.events[0].date.as_mut().unwrap().original = "ABT 1816".into();
        let saved = update(&mut v, edited).unwrap();
        assert_eq!(saved.birth().unwrap().year(), Some(1816), "range re-derived from the edited text");
        let row = v.list_people(Some("babbage"), 0, 1).unwrap().1.remove(0);
        let mut charles = resolve(&v, &row.id).unwrap();
        charles.set_event_date(EventKind::Death, Some("18 OCT 1871"));
        let charles = update(&mut v, charles).unwrap();
        assert!(
            matches!(&charles.vital_status, kinvault_model::VitalStatus::Deceased { date: Some(d), .. } if d.year() == Some(1871)),
            "a death date makes the person deceased"
        );
        assert_eq!(list(&v, &PeopleQuery { search: Some("augusta".into()), ..Default::default() }).unwrap().total, 1);

        delete(&mut v, ada.id).unwrap();
        assert_eq!(resolve(&v, &ada.id.to_string()).unwrap_err().kind, ErrorKind::NotFound);
    }

    #[test]
    fn bad_input_is_rejected_with_reason() {
        let (_d, mut v) = vault();
        let e = add(&mut v, &NewPerson::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = add(&mut v, &NewPerson { given: "A".into(), birth: Some("32 FOO 18x".into()), ..Default::default() })
            .unwrap_err();
        assert!(e.message.contains("birth date \"32 FOO 18x\""), "{}", e.message);
        assert_eq!(v.stats().unwrap().individuals, 0, "nothing half-stored");
    }

    #[test]
    fn resolve_by_xref() {
        let (_d, mut v) = vault();
        let mut p = Person::new(PersonName::new("X", "Y"), Sex::Male);
        p.xref = Some("@I42@".into());
        v.write(|tx| tx.put_person(&p)).unwrap();
        assert_eq!(resolve(&v, "@I42@").unwrap().id, p.id);
        assert_eq!(resolve(&v, "I42").unwrap().id, p.id);
        assert!(resolve(&v, "I43").is_err());
    }
}
