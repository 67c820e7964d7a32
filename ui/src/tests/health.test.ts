// The health section of the person page and the family health questionnaire, driven through the
// whole App against the in-memory health backend (test/backend.ts: healthBackend).
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { ConditionDef } from '../bindings/ConditionDef';
import type { Person } from '../bindings/Person';
import type { Questionnaire } from '../bindings/Questionnaire';
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

function ada(overrides: Partial<Person> = {}): Person {
  return person({ id: 'ada', events: [], ...overrides });
}

async function openPerson(people: Person[], families: FakeFamily[] = [], extra: Record<string, Handler> = {}) {
  const user = userEvent.setup();
  const health = healthBackend(people, families);
  const backend = mockBackend({ vault_status: () => unlockedStatus(), ...health.handlers, ...extra });
  render(App);
  await user.click((await screen.findAllByTestId('person-row'))[0]);
  const section = await screen.findByTestId('health-section');
  return { user, health, backend, section };
}

describe('health section: conditions', () => {
  it('lists conditions with code, status, onset, certainty and source; imported ones are flagged', async () => {
    const { section } = await openPerson([
      ada({
        conditions: [
          {
            id: 'c1',
            code: { system: 'icd10', code: 'C50.9', display: 'Breast cancer' },
            label: 'Breast cancer',
            status: 'affected',
            onset: { min: 40, max: 49 },
            certainty: 'probable',
            provenance: { kind: 'imported', format: 'FHIR' },
            note: null,
          },
        ],
      }),
    ]);
    const item = within(section).getByTestId('condition-item');
    expect(item).toHaveTextContent('Breast cancer');
    expect(within(item).getByTestId('condition-code')).toHaveTextContent('icd10:C50.9');
    expect(item).toHaveTextContent('Affected');
    expect(item).toHaveTextContent('onset 40–49');
    expect(item).toHaveTextContent('certainty: probable');
    expect(within(item).getByTestId('condition-imported')).toHaveTextContent('Imported (FHIR), unverified');
    expect(screen.getByTestId('person-health')).toHaveTextContent('Health records: 1 condition, 0 tests');
  });

  it('adds a condition found by its ICD-10 code with the keyboard, then removes it after confirming', async () => {
    const { user, backend, section } = await openPerson([ada()]);
    expect(within(section).getByTestId('conditions-empty')).toBeInTheDocument();

    await user.click(within(section).getByTestId('condition-add'));
    const search = within(section).getByTestId('condition-search');
    expect(search).toHaveFocus();
    await user.type(search, 'E84');
    const option = await within(section).findByTestId('condition-option');
    expect(option).toHaveTextContent('Cystic fibrosis');
    expect(option).toHaveTextContent('CFTR · SNOMED 190905008 · ICD-10 E84');
    expect(backend.callsTo('search_catalog')).toEqual([{ query: 'E84' }]);

    await user.keyboard('{ArrowDown}');
    expect(search).toHaveAttribute('aria-activedescendant', 'hs-condition-opt-0');
    expect(option).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');
    expect(search).toHaveValue('Cystic fibrosis');
    expect(within(section).queryByTestId('condition-option')).not.toBeInTheDocument();

    await user.type(within(section).getByTestId('condition-onset'), '2');
    await user.type(within(section).getByTestId('condition-age'), '30');
    await user.selectOptions(within(section).getByTestId('condition-certainty'), 'confirmed');
    await user.selectOptions(within(section).getByTestId('condition-source'), 'medical_record');
    await user.click(within(section).getByTestId('condition-save'));

    await waitFor(() =>
      expect(backend.callsTo('add_condition')).toEqual([
        {
          person: 'ada',
          req: {
            condition: 'cystic-fibrosis',
            status: 'affected',
            onset_age: 2,
            age: 30,
            certainty: 'confirmed',
            provenance: { kind: 'medical_record' },
            note: null,
          },
        },
      ]),
    );
    const item = await within(section).findByTestId('condition-item');
    expect(item).toHaveTextContent('Cystic fibrosis');
    expect(item).toHaveTextContent('snomed:190905008');
    expect(item).toHaveTextContent('onset 2');
    expect(item).toHaveTextContent('Medical record');
    expect(item).toHaveTextContent('status as of age 30');
    expect(within(section).getByTestId('conditions-done')).toHaveTextContent('Added Cystic fibrosis.');
    expect(within(section).getByTestId('condition-add')).toHaveFocus();
    expect(screen.getByTestId('person-health')).toHaveTextContent('Health records: 1 condition, 0 tests');
    // Age at observation made her known alive at 30.
    expect(within(section).getByTestId('vital-text')).toHaveTextContent('Alive, age 30');

    await user.click(within(item).getByTestId('condition-remove'));
    expect(screen.getByRole('alertdialog')).toHaveTextContent('Remove Cystic fibrosis?');
    expect(backend.callsTo('update_person')).toEqual([]);
    await user.click(within(section).getByTestId('remove-confirm'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(1));
    expect(backend.callsTo('update_person')[0].person.conditions).toEqual([]);
    await waitFor(() => expect(within(section).queryByTestId('condition-item')).not.toBeInTheDocument());
    expect(screen.getByTestId('person-health')).toHaveTextContent('Health records: 0 conditions, 0 tests');
  });

  it('checks ages before sending and shows backend refusals', async () => {
    const { user, backend, section } = await openPerson([ada()], [], {
      add_condition: () => {
        throw { kind: 'invalid_input', message: 'age 50 is after the recorded age at death 36' };
      },
    });
    await user.click(within(section).getByTestId('condition-add'));
    await user.type(within(section).getByTestId('condition-search'), 'stroke');
    await user.click(await within(section).findByText('Stroke'));
    await user.type(within(section).getByTestId('condition-onset'), '40');
    await user.type(within(section).getByTestId('condition-age'), '30');
    await user.click(within(section).getByTestId('condition-save'));
    expect(within(section).getByTestId('conditions-error')).toHaveTextContent('onset age 40 is after the age at observation 30');
    expect(within(section).getByRole('alert')).toBeInTheDocument();

    await user.clear(within(section).getByTestId('condition-age'));
    await user.type(within(section).getByTestId('condition-age'), '150');
    await user.click(within(section).getByTestId('condition-save'));
    expect(within(section).getByTestId('conditions-error')).toHaveTextContent('age 150 is not an age in years between 0 and 130');
    expect(backend.callsTo('add_condition')).toEqual([]);

    await user.clear(within(section).getByTestId('condition-age'));
    await user.type(within(section).getByTestId('condition-age'), '50');
    await user.click(within(section).getByTestId('condition-save'));
    expect(await within(section).findByText('age 50 is after the recorded age at death 36')).toBeInTheDocument();
    expect(backend.callsTo('add_condition')).toHaveLength(1);
  });
});

describe('health section: tests, vital status, ancestry', () => {
  it('adds a genetic test and removes it', async () => {
    const { user, backend, section } = await openPerson([ada()]);
    await user.click(within(section).getByTestId('test-add'));
    expect(within(section).getByTestId('test-gene')).toHaveFocus();
    await user.type(within(section).getByTestId('test-gene'), 'BRCA 1');
    await user.click(within(section).getByTestId('test-save'));
    expect(within(section).getByTestId('tests-error')).toHaveTextContent('"BRCA 1" is not a gene symbol');

    await user.clear(within(section).getByTestId('test-gene'));
    await user.type(within(section).getByTestId('test-gene'), 'BRCA1');
    await user.type(within(section).getByTestId('test-variant'), 'NM_007294.4:c.68_69del');
    await user.selectOptions(within(section).getByTestId('test-result'), 'positive');
    await user.selectOptions(within(section).getByTestId('test-acmg'), 'pathogenic');
    await user.type(within(section).getByTestId('test-method'), 'NGS panel');
    await user.type(within(section).getByTestId('test-sensitivity'), '0.95');
    await user.type(within(section).getByTestId('test-lab'), 'Genelab');
    await user.type(within(section).getByTestId('test-date'), '12 MAR 2021');
    await user.click(within(section).getByTestId('test-save'));

    await waitFor(() =>
      expect(backend.callsTo('add_genetic_test')).toEqual([
        {
          person: 'ada',
          req: {
            gene: 'BRCA1',
            variant: 'NM_007294.4:c.68_69del',
            result: 'positive',
            acmg_class: 'pathogenic',
            sensitivity: 0.95,
            method: 'NGS panel',
            lab: 'Genelab',
            date: '12 MAR 2021',
            provenance: { kind: 'medical_record' },
          },
        },
      ]),
    );
    const item = await within(section).findByTestId('test-item');
    for (const text of ['BRCA1', 'NM_007294.4:c.68_69del', 'Positive', 'ACMG: pathogenic', 'NGS panel', 'sensitivity 0.95', 'Genelab', '12 MAR 2021']) {
      expect(item).toHaveTextContent(text);
    }
    expect(screen.getByTestId('person-health')).toHaveTextContent('0 conditions, 1 test');

    await user.click(within(item).getByTestId('test-remove'));
    await user.click(within(section).getByTestId('remove-confirm'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(1));
    expect(backend.callsTo('update_person')[0].person.genetic_tests).toEqual([]);
    await waitFor(() => expect(within(section).getByTestId('tests-empty')).toBeInTheDocument());
  });

  it('edits vital status and ancestry through update_person', async () => {
    const { user, backend, section } = await openPerson([ada()]);
    expect(within(section).getByTestId('vital-text')).toHaveTextContent('Not known');

    await user.click(within(section).getByTestId('vital-edit'));
    expect(within(section).getByTestId('vital-status')).toHaveFocus();
    await user.selectOptions(within(section).getByTestId('vital-status'), 'deceased');
    await user.type(within(section).getByTestId('vital-age'), '200');
    await user.click(within(section).getByTestId('vital-save'));
    expect(within(section).getByTestId('vital-error')).toHaveTextContent('age at death 200 is not an age in years between 0 and 130');
    await user.clear(within(section).getByTestId('vital-age'));
    await user.type(within(section).getByTestId('vital-age'), '36');
    await user.type(within(section).getByTestId('vital-cause'), 'uterine cancer');
    await user.click(within(section).getByTestId('vital-save'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(1));
    expect(backend.callsTo('update_person')[0].person.vital_status).toEqual({
      status: 'deceased',
      age: 36,
      date: null,
      cause: 'uterine cancer',
    });
    expect(await within(section).findByTestId('vital-text')).toHaveTextContent('Deceased at 36 (uterine cancer)');
    expect(within(section).getByTestId('vital-edit')).toHaveFocus();
    expect(screen.getByTestId('person-death-text')).toHaveTextContent('Deceased, date unknown');

    expect(within(section).getByTestId('ancestry-text')).toHaveTextContent('Not recorded');
    await waitFor(() => expect(within(section).getByTestId('ancestry-edit')).toBeEnabled());
    await user.click(within(section).getByTestId('ancestry-edit'));
    const boxes = within(section).getAllByRole('checkbox');
    expect(boxes.map((b) => b.closest('label')?.textContent?.trim())).toEqual(['Ashkenazi Jewish', 'European', 'Hispanic']);
    expect(boxes[0]).toHaveFocus();
    await user.click(within(section).getByLabelText('European'));
    await user.click(within(section).getByLabelText('Ashkenazi Jewish'));
    await user.click(within(section).getByTestId('ancestry-save'));
    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(2));
    expect(backend.callsTo('update_person')[1].person.ancestry).toEqual(['ashkenazi_jewish', 'european']);
    expect(await within(section).findByTestId('ancestry-text')).toHaveTextContent('Ashkenazi Jewish, European');
  });
});

describe('health section: the user’s own conditions', () => {
  it('defines a condition from the picker, with validation, and records it', async () => {
    const { user, backend, section } = await openPerson([ada()]);
    await user.click(within(section).getByTestId('condition-add'));
    const search = within(section).getByTestId('condition-search');
    await user.type(search, 'Family cardiomyopathy');
    expect(await within(section).findByTestId('condition-no-match')).toHaveTextContent('No catalog condition matches');
    const custom = within(section).getByTestId('condition-custom-option');
    await user.keyboard('{ArrowDown}');
    expect(custom).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');

    const dialog = await screen.findByTestId('user-condition-dialog');
    const field = (id: string) => within(dialog).getByTestId(id);
    expect(field('uc-name')).toHaveValue('Family cardiomyopathy');
    expect(field('uc-id')).toHaveValue('family-cardiomyopathy');
    await user.type(field('uc-name'), ' (ours)');
    expect(field('uc-id')).toHaveValue('family-cardiomyopathy-ours');
    await user.selectOptions(field('uc-category'), 'cardiovascular');
    await user.type(field('uc-genes'), 'myh7');
    await user.click(field('uc-given-carrier'));
    await user.type(field('uc-frequency'), '0.6');
    await user.type(field('uc-pen-female'), '0.5');
    await user.type(field('uc-pen-male'), '0.6');
    await user.type(field('uc-citation'), 'Letter from the cardiogenetics clinic.');
    await user.type(field('uc-year'), '2025');
    await user.click(field('uc-save'));
    expect(field('uc-errors')).toHaveTextContent('Carrier frequency: 0.6 is above 0.5');
    expect(backend.callsTo('save_user_condition')).toEqual([]);

    await user.clear(field('uc-frequency'));
    await user.type(field('uc-frequency'), '1 in 25');
    expect(field('uc-frequency-derived')).toHaveTextContent('q = 0.02042, carrier frequency 2q(1−q) = 0.04');
    // A built-in id: the backend refuses, naming the field.
    await user.clear(field('uc-id'));
    await user.type(field('uc-id'), 'cystic-fibrosis');
    await user.click(field('uc-save'));
    expect(await within(dialog).findByTestId('uc-backend-error')).toHaveTextContent(
      'cystic-fibrosis: id: `cystic-fibrosis` is already a built-in condition; choose another id',
    );

    await user.clear(field('uc-id'));
    await user.type(field('uc-id'), 'family-cardiomyopathy');
    await user.click(field('uc-save'));
    await waitFor(() => expect(screen.queryByTestId('user-condition-dialog')).not.toBeInTheDocument());
    const sent: ConditionDef = backend.callsTo('save_user_condition').at(-1).def;
    expect(sent).toMatchObject({
      id: 'family-cardiomyopathy',
      name: 'Family cardiomyopathy (ours)',
      category: 'cardiovascular',
      inheritance: 'autosomal_dominant',
      genes: ['MYH7'],
      codes: [],
      references: [{ id: 'user', citation: 'Letter from the cardiogenetics clinic.', year: 2025, url: null }],
      user_defined: true,
    });
    expect(sent.frequencies[0]).toMatchObject({ population: 'general', given: 'carrier_frequency', carrier_frequency: 0.04, ref: 'user' });
    expect(sent.frequencies[0].allele_frequency).toBeCloseTo(0.0204168, 7);
    expect(sent.penetrance[0]).toMatchObject({ female: 0.5, male: 0.6, ref: 'user' });

    // It is now the chosen condition of the add form, and recordable.
    expect(within(section).getByTestId('condition-search')).toHaveValue('Family cardiomyopathy (ours)');
    expect(within(section).getByTestId('condition-chosen')).toHaveTextContent('(your own)');
    await user.type(within(section).getByTestId('condition-onset'), '38');
    await user.click(within(section).getByTestId('condition-save'));
    await waitFor(() => expect(backend.callsTo('add_condition')).toHaveLength(1));
    expect(backend.callsTo('add_condition')[0].req.condition).toBe('family-cardiomyopathy');
    expect(await within(section).findByTestId('condition-item')).toHaveTextContent('kinvault:family-cardiomyopathy');

    // Listed among the vault's own conditions, and removable from the catalog.
    const own = await within(section).findByTestId('user-condition-item');
    expect(own).toHaveTextContent('Family cardiomyopathy (ours)');
    await user.click(within(own).getByTestId('user-condition-remove'));
    await user.click(within(section).getByTestId('remove-confirm'));
    await waitFor(() => expect(backend.callsTo('delete_user_condition')).toEqual([{ id: 'family-cardiomyopathy' }]));
    expect(await within(section).findByTestId('catalog-done')).toHaveTextContent('removed from the catalog');
    expect(within(section).queryByTestId('user-condition-item')).not.toBeInTheDocument();
    // The observation stays on the person.
    expect(within(section).getByTestId('condition-item')).toBeInTheDocument();
  });
});

describe('family health questionnaire', () => {
  it('adds a mother with breast cancer at 44 and a brother, saves in one call and reloads', async () => {
    const { user, backend, health } = await openPerson([ada({ proband: true })]);
    await user.click(screen.getByTestId('open-questionnaire'));
    const dialog = await screen.findByTestId('questionnaire');
    expect(await within(dialog).findByTestId('q-form')).toBeInTheDocument();
    expect(backend.callsTo('questionnaire')).toEqual([{ proband: 'ada' }]);
    const you = within(within(dialog).getByTestId('q-group-you')).getByTestId('q-row');
    expect(you).toHaveTextContent('Ada Lovelace');
    expect(within(dialog).getByTestId('q-group-parents')).toHaveTextContent('None recorded.');

    // Mother: one-click breast cancer, onset 44, deceased at 70.
    await user.click(within(dialog).getByTestId('q-add-mother'));
    expect(within(dialog).queryByTestId('q-add-mother')).not.toBeInTheDocument();
    const mother = within(within(dialog).getByTestId('q-group-parents')).getByTestId('q-row');
    expect(within(mother).getByTestId('q-name-input')).toHaveFocus();
    const breast = within(mother).getByRole('button', { name: 'Breast cancer' });
    expect(breast).toHaveAttribute('aria-pressed', 'false');
    await user.click(breast);
    expect(breast).toHaveAttribute('aria-pressed', 'true');
    expect(within(mother).getByTestId('q-onset')).toHaveFocus();
    await user.keyboard('44');
    await user.selectOptions(within(mother).getByTestId('q-status'), 'deceased');
    await user.type(within(mother).getByTestId('q-age'), '70');

    // Brother Tom, with prostate cancer found through the search.
    await user.click(within(dialog).getByTestId('q-add-brother'));
    const brother = within(within(dialog).getByTestId('q-group-siblings')).getByTestId('q-row');
    await user.keyboard('Tom');
    expect(within(brother).getByTestId('q-name-input')).toHaveValue('Tom');
    await user.type(within(brother).getByTestId('q-condition-search'), 'C61');
    await user.click(await within(brother).findByText('Prostate cancer'));
    expect(within(brother).getByTestId('q-pending')).toHaveTextContent('Prostate cancer');
    expect(within(brother).getByTestId('q-onset')).toHaveFocus();

    await user.click(within(dialog).getByTestId('q-save'));
    // Mother, brother, and the placeholder father that makes Tom a full brother.
    expect(await within(dialog).findByTestId('q-result')).toHaveTextContent('3 relatives added, 2 conditions recorded');
    const sent: Questionnaire = backend.callsTo('save_questionnaire')[0].questionnaire;
    expect(sent.proband).toBe('ada');
    expect(sent.relatives.map((r) => [r.relation, r.person, r.name, r.sex, r.alive, r.age, r.add])).toEqual([
      ['proband', 'ada', 'Ada Lovelace', 'F', null, null, []],
      ['mother', null, '', 'F', false, 70, [{ condition: 'breast-cancer', onset_age: 44 }]],
      ['sibling', null, 'Tom', 'M', null, null, [{ condition: 'prostate-cancer', onset_age: null }]],
    ]);

    // Reloaded from the returned questionnaire: recorded chips, no "+ Mother"/"+ Father" any more.
    const [savedMother, placeholderFather] = within(within(dialog).getByTestId('q-group-parents')).getAllByTestId('q-row');
    expect(within(savedMother).getByTestId('q-name')).toHaveTextContent('Mother');
    expect(within(placeholderFather).getByTestId('q-name')).toHaveTextContent('Father');
    expect(within(savedMother).getByTestId('q-recorded')).toHaveTextContent('Breast cancer, 44');
    expect(within(savedMother).queryByTestId('q-pending')).not.toBeInTheDocument();
    expect(within(dialog).queryByTestId('q-add-mother')).not.toBeInTheDocument();
    expect(within(dialog).queryByTestId('q-add-father')).not.toBeInTheDocument();
    const savedBrother = within(within(dialog).getByTestId('q-group-siblings')).getByTestId('q-row');
    expect(savedBrother).toHaveTextContent('Tom');
    expect(within(savedBrother).getByTestId('q-recorded')).toHaveTextContent('Prostate cancer');
    expect(health.store.people.size).toBe(4);

    // Closing needs no confirmation now; the person page was refreshed.
    expect(backend.callsTo('get_person').length).toBeGreaterThanOrEqual(2);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('questionnaire')).not.toBeInTheDocument());
    expect(screen.getByTestId('open-questionnaire')).toHaveFocus();
    expect(screen.getByTestId('person-page')).toBeInTheDocument();
  });

  it('shows existing relatives, refuses bad ages, shows backend errors and asks before discarding', async () => {
    const mum = person({
      id: 'mum',
      names: [{ kind: 'birth', given: 'Anne', surname: 'Milbanke', prefix: null, suffix: null, nickname: null }],
      events: [],
      vital_status: { status: 'alive', age: 60 },
    });
    const { user, backend } = await openPerson([ada(), mum], [{ id: 'f1', partners: ['mum'], children: ['ada'] }], {
      save_questionnaire: () => {
        throw { kind: 'invalid_input', message: 'sister (Eva), condition 1: "stroke-x" is not a condition id in the catalog.' };
      },
    });
    await user.click(screen.getByTestId('open-questionnaire'));
    const dialog = await screen.findByTestId('questionnaire');
    const parents = await within(dialog).findByTestId('q-group-parents');
    const existing = within(parents).getByTestId('q-row');
    expect(within(existing).getByTestId('q-name')).toHaveTextContent('Anne Milbanke');
    expect(within(existing).getByTestId('q-status')).toHaveValue('alive');
    expect(within(existing).getByTestId('q-age')).toHaveValue('60');
    // A known status cannot be turned back into "not known" here.
    expect(within(within(existing).getByTestId('q-status')).queryByText('Status not known')).not.toBeInTheDocument();
    expect(within(dialog).queryByTestId('q-add-mother')).not.toBeInTheDocument();
    expect(within(dialog).getByTestId('q-add-maternal-grandmother')).toBeInTheDocument();

    // Nothing changed: nothing sent.
    await user.click(within(dialog).getByTestId('q-save'));
    expect(within(dialog).getByTestId('q-result')).toHaveTextContent('Nothing new to save.');

    await user.click(within(dialog).getByTestId('q-add-sister'));
    const sister = within(within(dialog).getByTestId('q-group-siblings')).getByTestId('q-row');
    await user.keyboard('Eva');
    expect(within(within(sister).getByTestId('q-status')).getByText('Status not known')).toBeInTheDocument();
    await user.selectOptions(within(sister).getByTestId('q-status'), 'alive');
    await user.type(within(sister).getByTestId('q-age'), '40');
    await user.click(within(sister).getByRole('button', { name: 'Stroke' }));
    await user.keyboard('80');
    await user.click(within(dialog).getByTestId('q-save'));
    expect(within(dialog).getByTestId('q-error')).toHaveTextContent('sister (Eva): onset of Stroke at 80 is after their age 40');
    expect(backend.callsTo('save_questionnaire')).toEqual([]);

    await user.clear(within(sister).getByTestId('q-onset'));
    await user.type(within(sister).getByTestId('q-onset'), '35');
    await user.click(within(dialog).getByTestId('q-save'));
    expect(await within(dialog).findByTestId('q-error')).toHaveTextContent('sister (Eva), condition 1');
    // The answers are still there to fix.
    expect(within(sister).getByTestId('q-pending')).toHaveTextContent('Stroke');

    await user.click(within(dialog).getByTestId('q-close'));
    expect(within(dialog).getByRole('alertdialog')).toHaveTextContent('Close without saving?');
    expect(screen.getByTestId('questionnaire')).toBeInTheDocument();
    await user.click(within(dialog).getByTestId('q-discard'));
    await waitFor(() => expect(screen.queryByTestId('questionnaire')).not.toBeInTheDocument());
  });
});
