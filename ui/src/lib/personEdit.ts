// Turning the edit form's fields into a whole Person for update_person. The backend re-parses
// every event date from `date.original`, so the UI only ever edits that text.
import type { Event } from '../bindings/Event';
import type { GDate } from '../bindings/GDate';
import type { Person } from '../bindings/Person';
import type { Sex } from '../bindings/Sex';
import { eventDateText, primaryName } from './format';

export type PersonDraft = {
  given: string;
  surname: string;
  sex: Sex;
  gender: string;
  birth: string;
  death: string;
  proband: boolean;
  /** The person seeking advice, when not the proband. */
  consultand: boolean;
};

export function draftFrom(person: Person): PersonDraft {
  const { given, surname } = primaryName(person);
  return {
    given,
    surname,
    sex: person.sex,
    gender: person.gender ?? '',
    birth: eventDateText(person, 'birth'),
    death: eventDateText(person, 'death'),
    proband: person.proband,
    consultand: person.consultand ?? false,
  };
}

/** A date the backend will parse on save; the other fields are placeholders it replaces. */
export function unparsedDate(text: string): GDate {
  return { original: text, qualifier: 'unparsed', calendar: 'gregorian', earliest: null, latest: null, phrase: null };
}

function isBare(event: Event): boolean {
  return !event.place && !event.description && event.citations.length === 0 && event.notes.length === 0;
}

function setEventDate(events: Event[], type: 'birth' | 'death', text: string): Event[] {
  const t = text.trim();
  const index = events.findIndex((e) => e.kind.type === type);
  if (index < 0) {
    if (!t) return events;
    const event: Event = {
      kind: { type },
      date: unparsedDate(t),
      place: null,
      description: null,
      citations: [],
      notes: [],
    };
    return [...events, event];
  }
  const existing = events[index];
  if (!t) {
    // Keep an event that still says something (a place, a source); drop an empty one.
    if (isBare(existing)) return events.filter((_, i) => i !== index);
    return events.map((e, i) => (i === index ? { ...e, date: null } : e));
  }
  if (existing.date?.original === t) return events;
  const date = existing.date ? { ...existing.date, original: t } : unparsedDate(t);
  return events.map((e, i) => (i === index ? { ...e, date } : e));
}

/** The person with the draft applied; the input is not modified. */
export function applyDraft(person: Person, draft: PersonDraft): Person {
  const next: Person = JSON.parse(JSON.stringify(person));
  const name = { given: draft.given.trim(), surname: draft.surname.trim() };
  if (next.names.length === 0) {
    next.names.push({ kind: 'birth', ...name, prefix: null, suffix: null, nickname: null });
  } else {
    next.names[0] = { ...next.names[0], ...name };
  }
  next.sex = draft.sex;
  next.gender = draft.gender.trim() || null;
  next.proband = draft.proband;
  // The backend leaves the flag out when false; so does the UI, so an unchanged record round-trips.
  if (draft.consultand) next.consultand = true;
  else delete next.consultand;
  next.events = setEventDate(next.events, 'birth', draft.birth);
  next.events = setEventDate(next.events, 'death', draft.death);
  // A recorded death means the person has died; the date itself lives on the death event.
  if (draft.death.trim() && next.vital_status.status !== 'deceased') {
    next.vital_status = { status: 'deceased', age: null, date: null, cause: null };
  }
  return next;
}
