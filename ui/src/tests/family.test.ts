// The family section of the person page (parents, partners, children, twins, links) and the
// consultand flag, driven through the whole App against the in-memory backend
// (test/backend.ts: healthBackend), which refuses a family making someone their own ancestor.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { Family } from '../bindings/Family';
import type { Person } from '../bindings/Person';
import type { Sex } from '../bindings/Sex';
import {
  useListboxHeight,
  healthBackend,
  mockBackend,
  person,
  unlockedStatus,
  type FakeFamily,
  type Handler,
} from '../test/backend';

useListboxHeight(440);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function someone(id: string, given: string, surname: string, sex: Sex, overrides: Partial<Person> = {}): Person {
  return person({
    id,
    names: [{ kind: 'birth', given, surname, prefix: null, suffix: null, nickname: null }],
    sex,
    events: [],
    ...overrides,
  });
}

/** Ada first (the row opened), her parents and sister, husband, three children, two others. */
const PEOPLE: Person[] = [
  someone('ada', 'Ada', 'Lovelace', 'F'),
  someone('mum', 'Anne', 'Milbanke', 'F'),
  someone('dad', 'George', 'Byron', 'M'),
  someone('sis', 'Allegra', 'Byron', 'F'),
  someone('william', 'William', 'King', 'M'),
  someone('k1', 'Byron', 'King', 'M'),
  someone('k2', 'Annabella', 'King', 'F'),
  someone('k3', 'Ralph', 'King', 'M'),
  someone('john', 'John', 'Crosse', 'M'),
  someone('cara', 'Cara', 'Crosse', 'F'),
];

const BIRTH: FakeFamily = { id: 'f-birth', partners: ['mum', 'dad'], children: ['ada', 'sis'] };
const MARRIAGE: FakeFamily = {
  id: 'f-king',
  partners: ['ada', 'william'],
  children: ['k1', 'k2', 'k3'],
  kind: 'married',
  links: { k3: [{ parent: 'ada', relationship: 'foster' }, { parent: 'william', relationship: 'foster' }] },
};

async function openAda(families: FakeFamily[] = [BIRTH, MARRIAGE], extra: (h: Record<string, Handler>) => Record<string, Handler> = () => ({})) {
  const user = userEvent.setup();
  const health = healthBackend(PEOPLE, families);
  const backend = mockBackend({ vault_status: () => unlockedStatus(), ...health.handlers, ...extra(health.handlers) });
  render(App);
  await user.click((await screen.findAllByTestId('person-row'))[0]);
  const section = await screen.findByTestId('family-section');
  await within(section).findByTestId('parents-block');
  return { user, health, backend, section };
}

function partnerCard(section: HTMLElement, index = 0): HTMLElement {
  return within(section).getAllByTestId('partner-family')[index];
}

function childRow(card: HTMLElement, id: string): HTMLElement {
  return within(card).getAllByTestId('child-item').find((li) => li.dataset.person === id)!;
}

/** Types into the open add form's person search and picks the one match. */
async function pick(user: ReturnType<typeof userEvent.setup>, section: HTMLElement, text: string) {
  const form = within(section).getByTestId('family-add-form');
  const search = within(form).getByTestId('family-person-search');
  expect(search).toHaveFocus();
  await user.type(search, text);
  await user.click(await within(form).findByTestId('person-option'));
  return form;
}

function saved(backend: { callsTo: (cmd: string) => { family: Family }[] }): Family[] {
  return backend.callsTo('save_family').map((a) => a.family);
}

describe('family section: viewing', () => {
  it('shows parents with link kinds, siblings, the partner family with children, links and twins', async () => {
    const twins: FakeFamily = { ...MARRIAGE, twins: [{ members: ['k1', 'k2'], zygosity: 'dizygotic' }], consanguineous: true };
    const { user, backend, section } = await openAda([BIRTH, twins]);
    expect(backend.callsTo('person_families')).toEqual([{ person: 'ada' }]);

    const parents = within(section).getByTestId('parent-family');
    const [mother, father] = within(parents).getAllByTestId('parent-item');
    expect(mother).toHaveTextContent('Mother');
    expect(mother).toHaveTextContent('Anne Milbanke');
    expect(within(mother).getByTestId('parent-link')).toHaveTextContent('birth');
    expect(father).toHaveTextContent('Father');
    expect(father).toHaveTextContent('George Byron');
    expect(within(parents).getByTestId('own-link')).toHaveValue('birth');
    expect(within(parents).getByTestId('sibling-item')).toHaveTextContent('Allegra Byron');

    const card = partnerCard(section);
    const line = within(card).getByTestId('partner-line');
    expect(line).toHaveTextContent(/^With ♂ William King Remove$/);
    expect(within(line).getByRole('button', { name: 'Remove William King from this family' })).toBeInTheDocument();
    expect(within(card).getByTestId('union-kind')).toHaveValue('married');
    expect(within(card).getByTestId('consanguineous')).toBeChecked();
    const children = within(card).getAllByTestId('child-item');
    expect(children.map((c) => c.dataset.person)).toEqual(['k1', 'k2', 'k3']);
    expect(children[0]).toHaveTextContent('Byron King');
    expect(within(children[0]).getByTestId('child-link')).toHaveValue('birth');
    expect(within(children[2]).getByTestId('child-link')).toHaveValue('foster');
    expect(within(children[0]).getByTestId('twin-mark')).toHaveTextContent('DZ twin');
    expect(within(children[1]).getByTestId('twin-mark')).toHaveTextContent('DZ twin');
    expect(within(children[2]).queryByTestId('twin-mark')).not.toBeInTheDocument();
    expect(within(card).getByTestId('twin-set')).toHaveTextContent('DZ twins: Byron King, Annabella King');

    // A relative's name opens their page.
    await user.click(within(card).getByRole('button', { name: 'William King' }));
    await waitFor(() => expect(screen.getByTestId('person-name')).toHaveTextContent('William King'));
    await waitFor(() => expect(backend.callsTo('person_families')).toContainEqual({ person: 'william' }));
    const williams = await screen.findByTestId('family-section');
    await waitFor(() => expect(within(williams).getByTestId('partner-line')).toHaveTextContent('With ♀ Ada Lovelace'));
    expect(within(williams).getByTestId('parents-empty')).toHaveTextContent('No parents recorded.');
  });

  it('says when nothing is recorded, and reloads after the questionnaire links a mother', async () => {
    const { user, backend, section } = await openAda([]);
    expect(within(section).getByTestId('parents-empty')).toBeInTheDocument();
    expect(within(section).getByTestId('partners-empty')).toHaveTextContent('No partners or children recorded.');

    await user.click(screen.getByTestId('open-questionnaire'));
    const dialog = await screen.findByTestId('questionnaire');
    await user.click(await within(dialog).findByTestId('q-add-mother'));
    await user.click(within(dialog).getByTestId('q-save'));
    await within(dialog).findByTestId('q-result');
    const item = await within(section).findByTestId('parent-item');
    expect(item).toHaveTextContent('Mother');
    expect(backend.callsTo('person_families')).toHaveLength(2);
  });
});

describe('family section: editing', () => {
  it('adds a parent to the birth family that has room, else as a new family', async () => {
    const onlyMum: FakeFamily = { id: 'f-birth', partners: ['mum'], children: ['ada'] };
    const { user, backend, health, section } = await openAda([onlyMum]);
    await user.click(within(section).getByTestId('parent-add'));
    const form = await pick(user, section, 'George');
    await user.click(within(form).getByTestId('family-add-save'));

    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0]).toMatchObject({ id: 'f-birth', partners: ['mum', 'dad'], children: [{ person: 'ada', links: [] }] });
    expect(await within(section).findByTestId('family-done')).toHaveTextContent('Added George Byron as a parent.');
    const items = within(section).getAllByTestId('parent-item');
    expect(items.map((i) => i.dataset.person)).toEqual(['mum', 'dad']);
    expect(items[1]).toHaveTextContent('Father');
    expect(within(section).getByTestId('parent-add')).toHaveFocus();

    // Both parents recorded: a stepfather comes as another family.
    await user.click(within(section).getByTestId('parent-add'));
    await user.click(within(await pick(user, section, 'John')).getByTestId('family-add-save'));
    await waitFor(() => expect(saved(backend)).toHaveLength(2));
    const step = saved(backend)[1];
    expect(step.id).toMatch(UUID);
    expect(step).toMatchObject({ partners: ['john'], children: [{ person: 'ada', links: [] }], twins: [], kind: 'unknown' });
    await waitFor(() => expect(within(section).getAllByTestId('parent-family')).toHaveLength(2));
    expect(health.store.families).toHaveLength(2);
  });

  it('adds a partner, then an adopted child to that family', async () => {
    const { user, backend, section } = await openAda([]);
    await user.click(within(section).getByTestId('partner-add'));
    await user.click(within(await pick(user, section, 'John')).getByTestId('family-add-save'));
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0]).toMatchObject({ partners: ['ada', 'john'], children: [], consanguineous: false });
    const card = await within(section).findByTestId('partner-family');
    expect(within(card).getByTestId('partner-line')).toHaveTextContent(/^With ♂ John Crosse Remove$/);
    expect(within(card).getByTestId('no-children')).toBeInTheDocument();

    await user.click(within(card).getByTestId('child-add'));
    const form = await pick(user, section, 'Cara');
    await user.selectOptions(within(form).getByTestId('family-add-link'), 'adopted');
    await user.click(within(form).getByTestId('family-add-save'));
    await waitFor(() => expect(saved(backend)).toHaveLength(2));
    expect(saved(backend)[1].id).toBe(saved(backend)[0].id);
    expect(saved(backend)[1].children).toEqual([
      {
        person: 'cara',
        links: [
          { parent: 'ada', relationship: 'adopted' },
          { parent: 'john', relationship: 'adopted' },
        ],
      },
    ]);
    const child = await within(section).findByTestId('child-item');
    expect(child).toHaveTextContent('Cara Crosse');
    expect(within(child).getByTestId('child-link')).toHaveValue('adopted');
    expect(within(section).getByTestId('family-done')).toHaveTextContent('Added Cara Crosse as a child.');
  });

  it('refuses to add someone already in the family without calling the backend', async () => {
    const { user, backend, section } = await openAda();
    await user.click(within(partnerCard(section)).getByTestId('child-add'));
    const form = await pick(user, section, 'Annabella');
    await user.click(within(form).getByTestId('family-add-save'));
    expect(within(form).getByTestId('family-error')).toHaveTextContent('They are already in this family.');
    expect(backend.callsTo('save_family')).toEqual([]);
  });

  it('marks two children as MZ twins, then removes the twin set', async () => {
    const { user, backend, section } = await openAda();
    const card = partnerCard(section);
    await user.click(within(card).getByTestId('twins-mark'));
    const form = within(card).getByTestId('twins-form');
    const choices = within(form).getAllByTestId('twin-choice');
    expect(choices[0]).toHaveFocus();
    // One child is not a twin set.
    await user.click(choices[1]);
    await user.click(within(form).getByTestId('twins-save'));
    expect(within(form).getByTestId('family-error')).toHaveTextContent('Choose at least two children born together.');
    expect(backend.callsTo('save_family')).toEqual([]);

    await user.click(choices[0]);
    await user.selectOptions(within(form).getByTestId('twin-zygosity'), 'monozygotic');
    await user.click(within(form).getByTestId('twins-save'));
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].twins).toEqual([{ members: ['k1', 'k2'], zygosity: 'monozygotic' }]);
    await waitFor(() => expect(within(card).queryByTestId('twins-form')).not.toBeInTheDocument());
    expect(within(childRow(card, 'k1')).getByTestId('twin-mark')).toHaveTextContent('MZ twin');
    expect(within(childRow(card, 'k2')).getByTestId('twin-mark')).toHaveTextContent('MZ twin');
    expect(within(card).getByTestId('twin-set')).toHaveTextContent('MZ twins: Byron King, Annabella King');
    expect(within(card).getByTestId('family-done')).toHaveTextContent('Marked Byron King and Annabella King as MZ twins.');
    expect(within(card).getByTestId('twins-mark')).toHaveFocus();

    await user.click(within(card).getByTestId('twin-set-remove'));
    await waitFor(() => expect(saved(backend)).toHaveLength(2));
    expect(saved(backend)[1].twins).toEqual([]);
    await waitFor(() => expect(within(card).queryByTestId('twin-mark')).not.toBeInTheDocument());
  });

  it('sets a child adopted by both partners, and back to birth', async () => {
    const { user, backend, health, section } = await openAda();
    const card = partnerCard(section);
    await user.selectOptions(within(childRow(card, 'k1')).getByTestId('child-link'), 'adopted');
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].children[0]).toEqual({
      person: 'k1',
      links: [
        { parent: 'ada', relationship: 'adopted' },
        { parent: 'william', relationship: 'adopted' },
      ],
    });
    // The rest of the family is sent unchanged.
    expect(saved(backend)[0].children.slice(1)).toEqual([
      { person: 'k2', links: [] },
      { person: 'k3', links: MARRIAGE.links!.k3 },
    ]);
    expect(saved(backend)[0].kind).toBe('married');
    expect(await within(card).findByTestId('family-done')).toHaveTextContent('Saved: Byron King — adopted.');
    expect(within(childRow(card, 'k1')).getByTestId('child-link')).toHaveValue('adopted');
    expect(health.store.families[1].links?.k1).toHaveLength(2);

    await user.selectOptions(within(childRow(card, 'k3')).getByTestId('child-link'), 'birth');
    await waitFor(() => expect(saved(backend)).toHaveLength(2));
    expect(saved(backend)[1].children[2]).toEqual({ person: 'k3', links: [] });
  });

  it('sets Ada’s own link to her parents', async () => {
    const { user, backend, section } = await openAda();
    const parents = within(section).getByTestId('parent-family');
    await user.selectOptions(within(parents).getByTestId('own-link'), 'step');
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].id).toBe('f-birth');
    expect(saved(backend)[0].children[0].links.map((l) => [l.parent, l.relationship])).toEqual([
      ['mum', 'step'],
      ['dad', 'step'],
    ]);
    await waitFor(() =>
      expect(within(parents).getAllByTestId('parent-link').map((l) => l.textContent?.trim())).toEqual(['step', 'step']),
    );
  });

  it('toggles consanguinity and sets the union kind', async () => {
    const { user, backend, section } = await openAda();
    const card = partnerCard(section);
    const box = within(card).getByTestId('consanguineous');
    expect(box).not.toBeChecked();
    await user.click(box);
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].consanguineous).toBe(true);
    expect(await within(card).findByTestId('family-done')).toHaveTextContent('Marked the partners as blood relatives.');
    expect(within(card).getByTestId('consanguineous')).toBeChecked();

    await user.selectOptions(within(card).getByTestId('union-kind'), 'partners');
    await waitFor(() => expect(saved(backend)).toHaveLength(2));
    expect(saved(backend)[1]).toMatchObject({ kind: 'partners', consanguineous: true });
    await waitFor(() => expect(within(card).getByTestId('family-done')).toHaveTextContent('Union saved: partners.'));
  });

  it('shows a refused save (a cycle) and keeps the old state', async () => {
    const { user, backend, health, section } = await openAda();
    const before = structuredClone(health.store.families);
    // Ada's own son as her parent: both parents are recorded, so it would be a new family.
    await user.click(within(section).getByTestId('parent-add'));
    const form = await pick(user, section, 'Ralph');
    await user.click(within(form).getByTestId('family-add-save'));
    const alert = await within(form).findByRole('alert');
    // The backend names people by id; the page shows their names.
    expect(alert).toHaveTextContent('this family would make Ada Lovelace their own ancestor; check who is parent and who is child');
    expect(backend.callsTo('save_family')).toHaveLength(1);
    expect(health.store.families).toEqual(before);
    expect(within(section).getAllByTestId('parent-family')).toHaveLength(1);
    expect(within(section).getAllByTestId('parent-item').map((i) => i.dataset.person)).toEqual(['mum', 'dad']);
    // The form stays open to choose someone else.
    expect(within(section).getByTestId('family-add-form')).toBeInTheDocument();
  });

  it('puts a select and a checkbox back when the backend refuses the change', async () => {
    const { user, backend, section } = await openAda([BIRTH, MARRIAGE], () => ({
      save_family: () => {
        throw { kind: 'invalid_input', message: 'the vault refused this family' };
      },
    }));
    const card = partnerCard(section);
    await user.selectOptions(within(childRow(card, 'k2')).getByTestId('child-link'), 'step');
    expect(await within(card).findByRole('alert')).toHaveTextContent('the vault refused this family');
    expect(within(childRow(card, 'k2')).getByTestId('child-link')).toHaveValue('birth');
    await user.click(within(card).getByTestId('consanguineous'));
    await waitFor(() => expect(backend.callsTo('save_family')).toHaveLength(2));
    await waitFor(() => expect(within(card).getByTestId('consanguineous')).not.toBeChecked());
    expect(within(card).getByRole('alert')).toHaveTextContent('the vault refused this family');
  });

  it('removes a child after confirming, and cancelling keeps them', async () => {
    const { user, backend, section } = await openAda();
    const card = partnerCard(section);
    await user.click(within(childRow(card, 'k3')).getByTestId('child-remove'));
    const dialog = within(card).getByRole('alertdialog');
    expect(dialog).toHaveTextContent('Remove Ralph King from this family?');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(within(card).queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(within(childRow(card, 'k3')).getByTestId('child-remove')).toHaveFocus();
    expect(backend.callsTo('save_family')).toEqual([]);

    await user.click(within(childRow(card, 'k3')).getByTestId('child-remove'));
    await user.click(within(card).getByTestId('family-remove-confirm'));
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].children.map((c) => c.person)).toEqual(['k1', 'k2']);
    await waitFor(() => expect(within(card).getAllByTestId('child-item')).toHaveLength(2));
    expect(within(card).getByTestId('family-done')).toHaveTextContent('Removed Ralph King from this family.');
  });

  it('removes a partner, then deletes the family record left with only Ada', async () => {
    const couple: FakeFamily = { id: 'f-crosse', partners: ['ada', 'john'], children: [] };
    const { user, backend, health, section } = await openAda([couple]);
    const card = partnerCard(section);
    expect(within(card).queryByTestId('family-delete')).not.toBeInTheDocument();
    await user.click(within(card).getByTestId('partner-remove'));
    await user.click(within(card).getByTestId('family-remove-confirm'));
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0].partners).toEqual(['ada']);
    expect(await within(card).findByTestId('no-partner')).toHaveTextContent('No partner recorded');

    await user.click(within(card).getByTestId('family-delete'));
    expect(within(card).getByRole('alertdialog')).toHaveTextContent('Delete this family record?');
    await user.click(within(card).getByTestId('family-remove-confirm'));
    await waitFor(() => expect(backend.callsTo('delete_family')).toEqual([{ id: 'f-crosse' }]));
    expect(await within(section).findByTestId('partners-empty')).toBeInTheDocument();
    expect(within(section).getByTestId('family-done')).toHaveTextContent('Family record deleted.');
    expect(health.store.families).toEqual([]);
  });
});

describe('family section: a family without a partner', () => {
  it('records the other partner in it, and shows Ada as a twin among her siblings', async () => {
    const lone: FakeFamily = { id: 'f-lone', partners: ['ada'], children: ['k1'] };
    const twins: FakeFamily = { ...BIRTH, twins: [{ members: ['ada', 'sis'], zygosity: 'monozygotic' }] };
    const { user, backend, section } = await openAda([twins, lone]);
    expect(within(section).getByTestId('own-twin')).toHaveTextContent('MZ twin');
    expect(within(section).getByTestId('sibling-twin')).toHaveTextContent('MZ twin of Ada Lovelace');

    const card = partnerCard(section);
    expect(within(card).getByTestId('no-partner')).toBeInTheDocument();
    expect(within(card).queryByTestId('consanguineous')).not.toBeInTheDocument();
    await user.click(within(card).getByTestId('co-partner-add'));
    await user.click(within(await pick(user, section, 'William')).getByTestId('family-add-save'));
    await waitFor(() => expect(saved(backend)).toHaveLength(1));
    expect(saved(backend)[0]).toMatchObject({ id: 'f-lone', partners: ['ada', 'william'], children: [{ person: 'k1', links: [] }] });
    expect(await within(card).findByTestId('partner-line')).toHaveTextContent(/^With ♂ William King Remove$/);
    expect(within(card).getByTestId('family-done')).toHaveTextContent('Added William King to this family.');
  });
});

describe('consultand', () => {
  it('is edited next to the proband flag, saved on the Person and shown on the page', async () => {
    const { user, backend } = await openAda([]);
    expect(screen.getByTestId('person-consultand-text')).toHaveTextContent('No');
    await user.click(screen.getByTestId('person-edit'));
    const box = screen.getByTestId('person-consultand');
    expect(box).not.toBeChecked();
    expect(screen.getByLabelText('Consultand (the person seeking advice, if not the proband)')).toBe(box);
    await user.click(box);
    await user.click(screen.getByTestId('person-save'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(1));
    const sent: Person = backend.callsTo('update_person')[0].person;
    expect(sent.consultand).toBe(true);
    expect(sent.proband).toBe(false);
    expect(await screen.findByTestId('person-consultand-text')).toHaveTextContent('Yes: the person seeking advice');

    // Unchecking leaves the flag out, as the backend writes it.
    await user.click(screen.getByTestId('person-edit'));
    expect(screen.getByTestId('person-consultand')).toBeChecked();
    await user.click(screen.getByTestId('person-consultand'));
    await user.click(screen.getByTestId('person-save'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(2));
    expect('consultand' in backend.callsTo('update_person')[1].person).toBe(false);
    expect(await screen.findByTestId('person-consultand-text')).toHaveTextContent('No');
  });
});
