// Family relationships as the person page shows and edits them: words for link kinds, unions
// and twins, and the edits themselves. Every edit returns a new Family (the input is never
// modified) that the page saves whole with save_family; the backend makes the final decision
// (no one may become their own ancestor).
import type { ChildRelationship } from '../bindings/ChildRelationship';
import type { Family } from '../bindings/Family';
import type { FamilyChild } from '../bindings/FamilyChild';
import type { FamilyView } from '../bindings/FamilyView';
import type { PersonFamilies } from '../bindings/PersonFamilies';
import type { PersonRef } from '../bindings/PersonRef';
import type { Sex } from '../bindings/Sex';
import type { TwinSet } from '../bindings/TwinSet';
import type { UnionKind } from '../bindings/UnionKind';
import type { Zygosity } from '../bindings/Zygosity';
import type { Checked } from './health';

type Option<T> = { value: T; label: string };

/** The link kinds the page offers (sealing and unknown are shown when imported, not offered). */
export const LINK_OPTIONS: Option<ChildRelationship>[] = [
  { value: 'birth', label: 'Birth' },
  { value: 'adopted', label: 'Adopted' },
  { value: 'foster', label: 'Foster' },
  { value: 'step', label: 'Step' },
];

export const UNION_OPTIONS: Option<UnionKind>[] = [
  { value: 'married', label: 'Married' },
  { value: 'partners', label: 'Partners' },
  { value: 'unknown', label: 'Not known' },
];

export const ZYGOSITY_OPTIONS: Option<Zygosity>[] = [
  { value: 'monozygotic', label: 'Identical (monozygotic, MZ)' },
  { value: 'dizygotic', label: 'Fraternal (dizygotic, DZ)' },
  { value: 'unknown', label: 'Zygosity not known' },
];

const LINK_WORDS: Record<ChildRelationship, string> = {
  birth: 'birth',
  adopted: 'adopted',
  foster: 'foster',
  step: 'step',
  sealing: 'sealing',
  unknown: 'link unknown',
};

/** The link kind in a word or two: "birth", "adopted", "link unknown"... */
export function linkLabel(kind: ChildRelationship | 'mixed'): string {
  return kind === 'mixed' ? 'differs by parent' : LINK_WORDS[kind];
}

export function unionLabel(kind: UnionKind): string {
  return UNION_OPTIONS.find((o) => o.value === kind)?.label ?? 'Not known';
}

/** "MZ", "DZ" or "" (zygosity unknown). */
function zygosityShort(z: Zygosity): string {
  return z === 'monozygotic' ? 'MZ' : z === 'dizygotic' ? 'DZ' : '';
}

/** How one child of a twin set is marked: "MZ twin", "DZ triplet", "twin (zygosity unknown)". */
export function twinMark(set: TwinSet): string {
  const noun = multipleNoun(set.members.length);
  const short = zygosityShort(set.zygosity);
  return short ? `${short} ${noun}` : `${noun} (zygosity unknown)`;
}

/** A twin set as a heading for its members: "MZ twins", "DZ triplets", "Twins (zygosity unknown)". */
export function twinSetLabel(set: TwinSet): string {
  const noun = `${multipleNoun(set.members.length)}s`;
  const short = zygosityShort(set.zygosity);
  return short ? `${short} ${noun}` : `${noun[0].toUpperCase()}${noun.slice(1)} (zygosity unknown)`;
}

function multipleNoun(n: number): string {
  return n <= 2 ? 'twin' : n === 3 ? 'triplet' : n === 4 ? 'quadruplet' : 'multiple';
}

/** "Mother", "Father" or "Parent" as a partner of a child's family. */
export function parentWord(sex: Sex): string {
  return sex === 'F' ? 'Mother' : sex === 'M' ? 'Father' : 'Parent';
}

/** How a child relates to one partner of its family (no link recorded: birth). */
export function relationshipTo(child: FamilyChild, parent: string): ChildRelationship {
  return child.links.find((l) => l.parent === parent)?.relationship ?? 'birth';
}

/**
 * The link kind of a child to its family: the same kind for every partner, or 'mixed' when the
 * partners differ (birth child of one, stepchild of the other). A family without partners
 * reports the child's first link, or birth.
 */
export function linkKind(family: Family, child: string): ChildRelationship | 'mixed' {
  const c = family.children.find((x) => x.person === child);
  if (!c) return 'birth';
  if (family.partners.length === 0) return c.links[0]?.relationship ?? 'birth';
  const kinds = new Set(family.partners.map((p) => relationshipTo(c, p)));
  return kinds.size === 1 ? [...kinds][0] : 'mixed';
}

/** The twin set a child belongs to in this family, if any. */
export function twinSetOf(family: Family, child: string): TwinSet | null {
  return family.twins.find((t) => t.members.includes(child)) ?? null;
}

/** Everyone in the family: partners first, then children in order. */
export function members(family: Family): string[] {
  return [...family.partners, ...family.children.map((c) => c.person)];
}

/** A family that records no relationship any more (at most one person left in it). */
export function isEmptyFamily(family: Family): boolean {
  return members(family).length <= 1;
}

/** A member's PersonRef from the view (null when the backend could not name them). */
export function refIn(view: FamilyView, id: string): PersonRef | null {
  return view.people.find((p) => p.id === id) ?? null;
}

/** The partners other than `person`. */
export function otherPartners(family: Family, person: string): string[] {
  return family.partners.filter((p) => p !== person);
}

/** The children other than `person` (their siblings in this family). */
export function siblings(family: Family, person: string): string[] {
  return family.children.map((c) => c.person).filter((c) => c !== person);
}

/**
 * The backend names people by id in its messages ("this family would make 6f1c… their own
 * ancestor"); this puts the names of the people it knows in their place.
 */
export function withNames(message: string, people: PersonRef[]): string {
  let text = message;
  for (const p of people) {
    if (!p.id) continue;
    const escaped = p.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const label = p.display_name.trim() || 'an unnamed person';
    text = text.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g'), () => label);
  }
  return text;
}

// ── Building and editing families (immutably) ──────────────────────────────────────────────

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

/** A version-4 UUID from 16 random bytes (RFC 9562 layout). */
export function uuidFromBytes(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new family id (the backend stores families by UUID). */
export function newFamilyId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return uuidFromBytes(crypto.getRandomValues(new Uint8Array(16)));
}

/** A new family with these partners and children (birth children), as Family::new makes it. */
export function newFamily(partners: string[], children: string[] = [], id: string = newFamilyId()): Family {
  return {
    id,
    xref: null,
    partners: [...partners],
    children: children.map((person) => ({ person, links: [] })),
    kind: 'unknown',
    events: [],
    twins: [],
    consanguineous: false,
    notes: [],
    citations: [],
  };
}

/** A copy deep enough that edits to partners, children, links and twin sets never reach `f`. */
function copy(f: Family): Family {
  return {
    ...f,
    partners: [...f.partners],
    children: f.children.map((c) => ({ person: c.person, links: c.links.map((l) => ({ ...l })) })),
    twins: f.twins.map((t) => ({ members: [...t.members], zygosity: t.zygosity })),
  };
}

/** Links making `child` a `kind` child of every partner (birth: no links, the default). */
function linksFor(family: Family, child: FamilyChild, kind: ChildRelationship) {
  // Links to people who are not partners (recorded by an import) are kept as they are.
  const others = child.links.filter((l) => !family.partners.includes(l.parent));
  if (kind === 'birth') return others;
  return [...others, ...family.partners.map((parent) => ({ parent, relationship: kind }))];
}

/** Adds a partner (a family has at most two). */
export function addPartner(family: Family, person: string): Checked<Family> {
  if (members(family).includes(person)) return fail('They are already in this family.');
  if (family.partners.length >= 2) {
    return fail('This family already has two partners; record another union as another family.');
  }
  const next = copy(family);
  next.partners.push(person);
  return ok(next);
}

/** Adds a child at the end, linked to every partner as `kind` (default: birth). */
export function addChild(family: Family, person: string, kind: ChildRelationship = 'birth'): Checked<Family> {
  if (members(family).includes(person)) return fail('They are already in this family.');
  const next = copy(family);
  const child: FamilyChild = { person, links: [] };
  child.links = linksFor(next, child, kind);
  next.children.push(child);
  return ok(next);
}

/** Sets how a child relates to every partner of the family. */
export function setLinkKind(family: Family, child: string, kind: ChildRelationship): Checked<Family> {
  if (!family.children.some((c) => c.person === child)) return fail('They are not a child of this family.');
  const next = copy(family);
  next.children = next.children.map((c) => (c.person === child ? { ...c, links: linksFor(next, c, kind) } : c));
  return ok(next);
}

/**
 * Records children as born together (twins, triplets...). A child is in one set at most: the
 * chosen children leave any set they were in, and a set left with fewer than two is dropped.
 */
export function markTwins(family: Family, chosen: string[], zygosity: Zygosity): Checked<Family> {
  const unique = [...new Set(chosen)];
  if (unique.length < 2) return fail('Choose at least two children born together.');
  const children = family.children.map((c) => c.person);
  if (unique.some((id) => !children.includes(id))) return fail('Twins must be children of this family.');
  const next = copy(family);
  const ordered = children.filter((id) => unique.includes(id));
  next.twins = next.twins
    .map((t) => ({ ...t, members: t.members.filter((m) => !unique.includes(m)) }))
    .filter((t) => t.members.length >= 2);
  next.twins.push({ members: ordered, zygosity });
  return ok(next);
}

/** Takes away the twin set at `index`. */
export function removeTwinSet(family: Family, index: number): Family {
  const next = copy(family);
  next.twins = next.twins.filter((_, i) => i !== index);
  return next;
}

export function setConsanguineous(family: Family, value: boolean): Family {
  return { ...copy(family), consanguineous: value };
}

export function setUnionKind(family: Family, kind: UnionKind): Family {
  return { ...copy(family), kind };
}

/**
 * Takes a partner or a child out of the family: a partner's links to the children go too, a
 * child leaves its twin set (dropped when fewer than two are left). The person's record stays.
 */
export function removeMember(family: Family, person: string): Checked<Family> {
  if (!members(family).includes(person)) return fail('They are not in this family.');
  const next = copy(family);
  next.partners = next.partners.filter((p) => p !== person);
  next.children = next.children
    .filter((c) => c.person !== person)
    .map((c) => ({ ...c, links: c.links.filter((l) => l.parent !== person) }));
  next.twins = next.twins
    .map((t) => ({ ...t, members: t.members.filter((m) => m !== person) }))
    .filter((t) => t.members.length >= 2);
  return ok(next);
}

/** The first family in which `person` is a birth child of every partner. */
export function birthFamily(views: FamilyView[], person: string): FamilyView | null {
  return views.find((v) => linkKind(v.family, person) === 'birth') ?? null;
}

/**
 * The family to save when `parent` is added as a parent of the page's person: their birth family
 * when it has room for another partner, else a new family of the parent and the person.
 */
export function planAddParent(families: PersonFamilies, parent: string): Checked<Family> {
  const person = families.person.id;
  if (parent === person) return fail('A person cannot be their own parent.');
  if (families.as_child.some((v) => v.family.partners.includes(parent))) {
    return fail('They are already recorded as a parent.');
  }
  const birth = families.as_child.find((v) => linkKind(v.family, person) === 'birth' && v.family.partners.length < 2);
  if (birth) return addPartner(birth.family, parent);
  return ok(newFamily([parent], [person]));
}

/** The family to save when `partner` is added as a partner of the page's person. */
export function planAddPartner(families: PersonFamilies, partner: string): Checked<Family> {
  const person = families.person.id;
  if (partner === person) return fail('A person cannot be their own partner.');
  if (families.as_partner.some((v) => v.family.partners.includes(partner))) {
    return fail('They are already recorded as a partner.');
  }
  return ok(newFamily([person, partner]));
}
