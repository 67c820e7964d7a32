import { describe, expect, it } from 'vitest';
import type { Family } from '../bindings/Family';
import type { FamilyView } from '../bindings/FamilyView';
import type { PersonFamilies } from '../bindings/PersonFamilies';
import type { PersonRef } from '../bindings/PersonRef';
import {
  addChild,
  addPartner,
  birthFamily,
  isEmptyFamily,
  linkKind,
  linkLabel,
  markTwins,
  members,
  newFamily,
  newFamilyId,
  otherPartners,
  parentWord,
  planAddParent,
  planAddPartner,
  relationshipTo,
  removeMember,
  removeTwinSet,
  setConsanguineous,
  setLinkKind,
  setUnionKind,
  siblings,
  twinMark,
  twinSetLabel,
  twinSetOf,
  unionLabel,
  uuidFromBytes,
  withNames,
} from './family';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Mum and Dad with Ada (birth) and Bea; Bea adopted by both. */
function family(): Family {
  const f = newFamily(['mum', 'dad'], ['ada', 'bea'], 'fam-1');
  f.children[1].links = [
    { parent: 'mum', relationship: 'adopted' },
    { parent: 'dad', relationship: 'adopted' },
  ];
  return f;
}

function ref(id: string): PersonRef {
  return { id, xref: null, display_name: id, sex: 'U', birth_year: null, death_year: null };
}

function viewOf(f: Family): FamilyView {
  return { family: f, people: members(f).map(ref) };
}

function familiesOf(person: string, asChild: Family[], asPartner: Family[] = []): PersonFamilies {
  return { person: ref(person), as_child: asChild.map(viewOf), as_partner: asPartner.map(viewOf) };
}

describe('reading families', () => {
  it('reads link kinds, defaulting to birth, and tells mixed links apart', () => {
    const f = family();
    expect(linkKind(f, 'ada')).toBe('birth');
    expect(linkKind(f, 'bea')).toBe('adopted');
    expect(relationshipTo(f.children[1], 'dad')).toBe('adopted');
    expect(relationshipTo(f.children[0], 'dad')).toBe('birth');
    f.children[0].links = [{ parent: 'dad', relationship: 'step' }];
    expect(linkKind(f, 'ada')).toBe('mixed');
    expect(linkLabel('mixed')).toBe('differs by parent');
    expect(linkLabel('step')).toBe('step');
    expect(linkLabel('unknown')).toBe('link unknown');
    // No partners: the child's own first link, else birth.
    const lone = newFamily([], ['kid'], 'fam-2');
    expect(linkKind(lone, 'kid')).toBe('birth');
    lone.children[0].links = [{ parent: 'someone', relationship: 'foster' }];
    expect(linkKind(lone, 'kid')).toBe('foster');
  });

  it('labels twins, unions and parents', () => {
    expect(twinMark({ members: ['a', 'b'], zygosity: 'monozygotic' })).toBe('MZ twin');
    expect(twinMark({ members: ['a', 'b', 'c'], zygosity: 'dizygotic' })).toBe('DZ triplet');
    expect(twinMark({ members: ['a', 'b'], zygosity: 'unknown' })).toBe('twin (zygosity unknown)');
    expect(twinSetLabel({ members: ['a', 'b'], zygosity: 'monozygotic' })).toBe('MZ twins');
    expect(twinSetLabel({ members: ['a', 'b'], zygosity: 'unknown' })).toBe('Twins (zygosity unknown)');
    expect(twinSetLabel({ members: ['a', 'b', 'c', 'd'], zygosity: 'dizygotic' })).toBe('DZ quadruplets');
    expect(unionLabel('married')).toBe('Married');
    expect(unionLabel('unknown')).toBe('Not known');
    expect([parentWord('F'), parentWord('M'), parentWord('X')]).toEqual(['Mother', 'Father', 'Parent']);
  });

  it('lists members, other partners and siblings; empty families record at most one person', () => {
    const f = family();
    expect(members(f)).toEqual(['mum', 'dad', 'ada', 'bea']);
    expect(otherPartners(f, 'mum')).toEqual(['dad']);
    expect(siblings(f, 'ada')).toEqual(['bea']);
    expect(isEmptyFamily(f)).toBe(false);
    expect(isEmptyFamily(newFamily(['ada']))).toBe(true);
    expect(isEmptyFamily(newFamily([], ['ada']))).toBe(true);
    expect(twinSetOf(f, 'ada')).toBeNull();
  });

  it('makes new families as Family::new does, with version-4 UUIDs', () => {
    const f = newFamily(['ada', 'william'], ['byron']);
    expect(f.id).toMatch(UUID);
    expect(f).toEqual({
      id: f.id,
      xref: null,
      partners: ['ada', 'william'],
      children: [{ person: 'byron', links: [] }],
      kind: 'unknown',
      events: [],
      twins: [],
      consanguineous: false,
      notes: [],
      citations: [],
    });
    expect(newFamilyId()).not.toBe(newFamilyId());
    expect(uuidFromBytes(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(uuidFromBytes(new Uint8Array(16))).toMatch(UUID);
  });
});

describe('messages', () => {
  it('puts names in place of the ids the backend reports', () => {
    const id = '6f1c2a4e-8b7d-4c3a-9e21-0d5f6a7b8c9d';
    const people = [
      { ...ref(id), display_name: 'George Byron' },
      { ...ref('ada'), display_name: 'Ada $& Lovelace' },
      { ...ref('x'), display_name: ' ' },
    ];
    expect(withNames(`this family would make ${id} their own ancestor`, people)).toBe(
      'this family would make George Byron their own ancestor',
    );
    // Whole ids only; a name is inserted as it is written.
    expect(withNames('ada, not Canada or ada-2', people)).toBe('Ada $& Lovelace, not Canada or ada-2');
    expect(withNames('x is here', people)).toBe('an unnamed person is here');
  });
});

describe('editing families (the input is never modified)', () => {
  it('adds partners (two at most) and children with a link kind', () => {
    const before = newFamily(['mum'], ['ada'], 'f');
    const frozen = structuredClone(before);
    const withDad = addPartner(before, 'dad');
    expect(withDad.ok && withDad.value.partners).toEqual(['mum', 'dad']);
    expect(addPartner(before, 'ada')).toEqual({ ok: false, error: 'They are already in this family.' });
    if (!withDad.ok) throw new Error('unreachable');
    expect(addPartner(withDad.value, 'x').ok).toBe(false);

    const adopted = addChild(withDad.value, 'bea', 'adopted');
    expect(adopted.ok && adopted.value.children[1]).toEqual({
      person: 'bea',
      links: [
        { parent: 'mum', relationship: 'adopted' },
        { parent: 'dad', relationship: 'adopted' },
      ],
    });
    const birth = addChild(withDad.value, 'cy');
    expect(birth.ok && birth.value.children[1]).toEqual({ person: 'cy', links: [] });
    expect(addChild(withDad.value, 'dad').ok).toBe(false);
    expect(before).toEqual(frozen);
  });

  it('sets a child’s link kind for every partner; birth clears the partners’ links', () => {
    const before = family();
    const frozen = structuredClone(before);
    const step = setLinkKind(before, 'ada', 'step');
    expect(step.ok && step.value.children[0].links).toEqual([
      { parent: 'mum', relationship: 'step' },
      { parent: 'dad', relationship: 'step' },
    ]);
    const birth = setLinkKind(before, 'bea', 'birth');
    expect(birth.ok && birth.value.children[1].links).toEqual([]);
    expect(setLinkKind(before, 'mum', 'adopted').ok).toBe(false);
    // A link to someone who is not a partner (from an import) is kept.
    before.children[0].links = [{ parent: 'granny', relationship: 'foster' }];
    const foster = setLinkKind(before, 'ada', 'foster');
    expect(foster.ok && foster.value.children[0].links).toEqual([
      { parent: 'granny', relationship: 'foster' },
      { parent: 'mum', relationship: 'foster' },
      { parent: 'dad', relationship: 'foster' },
    ]);
    expect(frozen.children[0].links).toEqual([]);
  });

  it('marks twins in child order, moving children out of an older set', () => {
    const base = addChild(family(), 'cy');
    if (!base.ok) throw new Error('unreachable');
    const frozen = structuredClone(base.value);
    const mz = markTwins(base.value, ['bea', 'ada'], 'monozygotic');
    expect(mz.ok && mz.value.twins).toEqual([{ members: ['ada', 'bea'], zygosity: 'monozygotic' }]);
    expect(base.value).toEqual(frozen);
    if (!mz.ok) throw new Error('unreachable');
    expect(twinSetOf(mz.value, 'bea')?.zygosity).toBe('monozygotic');
    // Bea and Cy as a new set: Ada is left alone, so the old set goes.
    const dz = markTwins(mz.value, ['bea', 'cy'], 'dizygotic');
    expect(dz.ok && dz.value.twins).toEqual([{ members: ['bea', 'cy'], zygosity: 'dizygotic' }]);
    expect(markTwins(base.value, ['ada'], 'unknown')).toEqual({ ok: false, error: 'Choose at least two children born together.' });
    expect(markTwins(base.value, ['ada', 'ada'], 'unknown').ok).toBe(false);
    expect(markTwins(base.value, ['ada', 'mum'], 'unknown').ok).toBe(false);
    expect(removeTwinSet(mz.value, 0).twins).toEqual([]);
    expect(mz.value.twins).toHaveLength(1);
  });

  it('toggles consanguinity and sets the union kind', () => {
    const before = family();
    expect(setConsanguineous(before, true).consanguineous).toBe(true);
    expect(setUnionKind(before, 'married').kind).toBe('married');
    expect(before.consanguineous).toBe(false);
    expect(before.kind).toBe('unknown');
  });

  it('removes a partner with their links, and a child with their twin set', () => {
    const f = family();
    f.twins = [{ members: ['ada', 'bea'], zygosity: 'dizygotic' }];
    const frozen = structuredClone(f);
    const noDad = removeMember(f, 'dad');
    expect(noDad.ok && noDad.value.partners).toEqual(['mum']);
    expect(noDad.ok && noDad.value.children[1].links).toEqual([{ parent: 'mum', relationship: 'adopted' }]);
    const noBea = removeMember(f, 'bea');
    expect(noBea.ok && noBea.value.children.map((c) => c.person)).toEqual(['ada']);
    expect(noBea.ok && noBea.value.twins).toEqual([]);
    expect(removeMember(f, 'stranger').ok).toBe(false);
    expect(f).toEqual(frozen);
  });
});

describe('planning additions from the person page', () => {
  it('adds a parent to the birth family when it has room', () => {
    const birth = newFamily(['mum'], ['ada'], 'birth');
    const plan = planAddParent(familiesOf('ada', [birth]), 'dad');
    expect(plan.ok && plan.value.id).toBe('birth');
    expect(plan.ok && plan.value.partners).toEqual(['mum', 'dad']);
  });

  it('makes a new family when the birth family is full or the only family is adoptive', () => {
    const full = newFamily(['mum', 'dad'], ['ada'], 'birth');
    const plan = planAddParent(familiesOf('ada', [full]), 'stepdad');
    expect(plan.ok && plan.value.id).not.toBe('birth');
    expect(plan.ok && plan.value.partners).toEqual(['stepdad']);
    expect(plan.ok && plan.value.children).toEqual([{ person: 'ada', links: [] }]);

    const adoptive = newFamily(['mum'], ['ada'], 'adoptive');
    adoptive.children[0].links = [{ parent: 'mum', relationship: 'adopted' }];
    const p2 = planAddParent(familiesOf('ada', [adoptive]), 'dad');
    expect(p2.ok && p2.value.id).not.toBe('adoptive');
    expect(birthFamily(familiesOf('ada', [adoptive]).as_child, 'ada')).toBeNull();
    expect(birthFamily(familiesOf('ada', [adoptive, full]).as_child, 'ada')?.family.id).toBe('birth');
  });

  it('refuses oneself and someone already a parent', () => {
    const birth = newFamily(['mum'], ['ada'], 'birth');
    expect(planAddParent(familiesOf('ada', [birth]), 'ada').ok).toBe(false);
    expect(planAddParent(familiesOf('ada', [birth]), 'mum')).toEqual({ ok: false, error: 'They are already recorded as a parent.' });
  });

  it('adds a partner as a new family of the two', () => {
    const plan = planAddPartner(familiesOf('ada', []), 'william');
    expect(plan.ok && plan.value.partners).toEqual(['ada', 'william']);
    expect(plan.ok && plan.value.children).toEqual([]);
    const married = newFamily(['ada', 'william'], [], 'm');
    expect(planAddPartner(familiesOf('ada', [], [married]), 'william').ok).toBe(false);
    expect(planAddPartner(familiesOf('ada', []), 'ada').ok).toBe(false);
  });
});
