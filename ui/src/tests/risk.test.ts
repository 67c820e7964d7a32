// The risk panel of the person page, the family risk overview and the couple's risk, driven
// through the whole App against the in-memory backend (test/backend.ts: healthBackend with
// risk fixtures shaped like crates/api/tests/risk.rs results).
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { Person } from '../bindings/Person';
import type { Sex } from '../bindings/Sex';
import {
  BREAST_HIGH,
  CF_PRIOR_ONLY,
  CF_SIBLING,
  STROKE_AVERAGE,
  XLR_BEFORE_SONS,
  XLR_ERROR,
  XLR_THREE_SONS,
  amsterdamMet,
  consanguinityFixture,
  criterionResult,
  useListboxHeight,
  familyHistory,
  healthBackend,
  mockBackend,
  overviewFixture,
  person,
  riskReport,
  unlockedStatus,
  type Handler,
  type RiskFixtures,
} from '../test/backend';

useListboxHeight(440);

function named(id: string, given: string, surname: string, sex: Sex, overrides: Partial<Person> = {}): Person {
  return person({
    id,
    names: [{ kind: 'birth', given, surname, prefix: null, suffix: null, nickname: null }],
    sex,
    events: [],
    ...overrides,
  });
}

const ADA = named('ada', 'Ada', 'Lovelace', 'F', { vital_status: { status: 'alive', age: 45 } });
const FAMILY = [
  ADA,
  named('sis', 'Eva', 'Lovelace', 'F'),
  named('dad', 'George', 'Byron', 'M'),
  named('will', 'William', 'King', 'M'),
];

/** Opens Ada's page (the first row of the list) with the given risk fixtures. */
async function openAda(risk: RiskFixtures = {}, extra: Record<string, Handler> = {}) {
  const user = userEvent.setup();
  const health = healthBackend(FAMILY, [], risk);
  const backend = mockBackend({ vault_status: () => unlockedStatus(), ...health.handlers, ...extra });
  render(App);
  const rows = await screen.findAllByTestId('person-row');
  const adaRow = rows.find((r) => r.textContent?.includes('Ada'))!;
  await user.click(adaRow);
  const panel = await screen.findByTestId('risk-panel');
  return { user, health, backend, panel };
}

const rowsOf = (panel: HTMLElement) => within(panel).queryAllByTestId('risk-condition');
const rowFor = (panel: HTMLElement, condition: string) =>
  rowsOf(panel).find((r) => r.dataset.condition === condition) ?? null;

describe('risk panel', () => {
  it('shows the notable Mendelian result first, with what moved it and its references', async () => {
    const { user, backend, panel } = await openAda({
      reports: [riskReport('ada', [CF_PRIOR_ONLY, XLR_THREE_SONS, STROKE_AVERAGE])],
    });
    await waitFor(() => expect(rowsOf(panel)).toHaveLength(1));
    expect(backend.callsTo('person_risk')).toEqual([{ req: { person: 'ada', conditions: [], horizon: 85, scope: null } }]);
    expect(within(panel).getByRole('heading', { name: 'Genetic risk' })).toBeInTheDocument();
    expect(within(panel).getByTestId('risk-pedigree')).toHaveTextContent('Read 4 people of the family (2 with health records).');

    const row = rowFor(panel, 'textbook-xlr')!;
    expect(within(row).getByTestId('risk-condition-name')).toHaveTextContent('Textbook X-linked disorder');
    expect(within(row).getByTestId('risk-model')).toHaveTextContent('X-linked recessive — exact calculation');
    expect(within(row).getByTestId('risk-carrier')).toHaveTextContent('11% (population 1 in 500,000,000,000)');
    expect(within(row).getByTestId('risk-affected')).toHaveTextContent('now (age 45) 0% · by 85: 0% (population 0%)');

    // Expand: the explanation, measured facts first.
    const explain = within(row).getByRole('button', { name: 'Explain Textbook X-linked disorder' });
    expect(explain).toHaveAttribute('aria-expanded', 'false');
    await user.click(explain);
    expect(explain).toHaveAttribute('aria-expanded', 'true');
    expect(explain).toHaveTextContent('Hide explanation');
    const x = within(row).getByTestId('risk-explanation');
    expect(within(x).getByTestId('explanation-summary')).toHaveTextContent('Moved most by 3 sons: unaffected (ages 15–20): 50% → 11%.');
    const facts = within(x).getAllByTestId('explanation-fact');
    expect(facts.map((f) => [...f.querySelectorAll('td')].map((td) => td.textContent?.trim()).join(': '))).toEqual([
      '3 sons: unaffected (ages 15–20): 50% → 11%',
      'mother: tested positive (TXL): 1 in 250,000,000,000 → 11%',
    ]);
    expect(within(x).getByRole('table', { name: 'What moved it' })).toBeInTheDocument();
    expect(within(x).getByRole('columnheader', { name: 'Carrier probability: without → with' })).toBeInTheDocument();

    // Parameters link to the reference list.
    const params = within(x).getAllByTestId('explanation-parameter');
    expect(params[0]).toHaveTextContent('Allele frequency q (negligible)');
    expect(params.at(-1)).toHaveTextContent('Risk horizon');
    const refLink = within(params[0]).getByRole('link', { name: 'textbook' });
    const reference = within(x).getByTestId('explanation-reference');
    expect(reference).toHaveTextContent('Young ID. Introduction to Risk Calculation in Genetic Counseling. 3rd ed.');
    expect(refLink).toHaveAttribute('href', `#${reference.id}`);
    await user.click(refLink);
    expect(reference).toHaveFocus();
    expect(within(x).getByTestId('explanation-notes')).toHaveTextContent('A recorded status is read as known');

    // All conditions on request.
    const all = within(panel).getByTestId('risk-show-all');
    expect(all).toHaveTextContent('Show all 3 conditions');
    expect(all).toHaveAttribute('aria-expanded', 'false');
    await user.click(all);
    expect(rowsOf(panel).map((r) => r.dataset.condition)).toEqual(['cystic-fibrosis', 'textbook-xlr', 'stroke']);
    expect(within(rowFor(panel, 'cystic-fibrosis')!).getByTestId('risk-carrier')).toHaveTextContent('4.0% (population 4.0%)');
    expect(within(rowFor(panel, 'stroke')!).getByTestId('risk-category')).toHaveTextContent('Average');
    expect(all).toHaveTextContent('Show only the notable conditions');
    // The expanded row stays expanded.
    expect(within(rowFor(panel, 'textbook-xlr')!).getByTestId('risk-explanation')).toBeInTheDocument();
    expect(backend.callsTo('person_risk')).toHaveLength(1);
  });

  it('shows a multifactorial High category with the rules that set it, without numbers', async () => {
    const { user, panel } = await openAda({ reports: [riskReport('ada', [BREAST_HIGH, STROKE_AVERAGE])] });
    await waitFor(() => expect(rowsOf(panel)).toHaveLength(1));
    const row = rowFor(panel, 'breast-cancer')!;
    expect(within(row).getByTestId('risk-category')).toHaveTextContent('High');
    expect(within(row).getByTestId('risk-model')).toHaveTextContent('Family history (Scheuner 1997)');
    expect(within(row).queryByTestId('risk-carrier')).not.toBeInTheDocument();

    await user.click(within(row).getByTestId('risk-explain'));
    const x = within(row).getByTestId('risk-explanation');
    const [fact] = within(x).getAllByTestId('explanation-fact');
    // with/without are NaN in Rust, null in JSON: the description alone.
    expect(fact).toHaveTextContent('Premature onset in a first-degree relative (mother at 44)');
    expect(fact).not.toHaveTextContent('→');
    expect(within(x).queryByTestId('explanation-fact-change')).not.toBeInTheDocument();
    expect(within(x).getAllByTestId('explanation-parameter')[0]).toHaveTextContent('Premature onset (any relatives)≤ 50scheuner1997');
    expect(within(x).getAllByTestId('explanation-reference').map((r) => r.textContent)).toEqual([
      expect.stringContaining('Scheuner MT, Wang SJ'),
      // The year is added when the citation does not give it.
      expect.stringMatching(/SEER Cancer Stat Facts: Female Breast Cancer\. National Cancer Institute\.\s\(2023\)/),
    ]);
  });

  it('shows a condition that could not be computed with the reason, and the others still', async () => {
    const { panel } = await openAda({ reports: [riskReport('ada', [XLR_ERROR, CF_SIBLING])] });
    await waitFor(() => expect(rowsOf(panel)).toHaveLength(2));
    const bad = rowFor(panel, 'textbook-xlr')!;
    expect(within(bad).getByTestId('risk-condition-error')).toHaveTextContent(
      'No number could be given: the records cannot all be true under the model',
    );
    expect(within(bad).getByTestId('risk-condition-error')).toHaveTextContent('check the records of: son');
    expect(within(bad).queryByTestId('risk-carrier')).not.toBeInTheDocument();
    const cf = rowFor(panel, 'cystic-fibrosis')!;
    expect(within(cf).getByTestId('risk-model')).toHaveTextContent('Autosomal recessive — exact calculation');
    expect(within(cf).getByTestId('risk-carrier')).toHaveTextContent('67% (population 4.0%)');
    expect(within(panel).queryByTestId('risk-show-all')).not.toBeInTheDocument();
  });

  it('shows the Lynch syndrome criteria when met, with their clauses and next step', async () => {
    const fh = familyHistory('ada', {
      lynch: {
        amsterdam_ii: amsterdamMet(),
        revised_bethesda: criterionResult('revised-bethesda'),
        bethesda_relatives: [],
      },
    });
    const { panel } = await openAda({ reports: [riskReport('ada', [CF_PRIOR_ONLY], { family_history: fh })] });
    const block = await within(panel).findByTestId('lynch-block');
    const [amsterdam] = within(block).getAllByTestId('lynch-criterion');
    expect(within(block).getAllByTestId('lynch-criterion')).toHaveLength(1);
    expect(amsterdam).toHaveAccessibleName('Amsterdam II criteria: Met, pending verification');
    const clauses = within(amsterdam).getAllByTestId('lynch-clause');
    expect(clauses).toHaveLength(6);
    expect(clauses[0]).toHaveTextContent('Met');
    expect(clauses[0]).toHaveTextContent('(mother at 45, maternal aunt at 52, maternal grandmother at 60)');
    expect(clauses[4]).toHaveTextContent('To be checked');
    expect(clauses[4]).toHaveTextContent('a clinician must exclude familial adenomatous polyposis');
    expect(within(amsterdam).getByTestId('lynch-next-step')).toHaveTextContent(
      'Next step: The family history as recorded meets the Amsterdam II criteria for Lynch syndrome',
    );
    expect(amsterdam).toHaveTextContent('Vasen HF, Watson P');
    expect(within(panel).getByTestId('risk-none-notable')).toHaveTextContent('Nothing recorded in the family');
  });

  it('recomputes after a health change, once, keeping the previous result while updating', async () => {
    const { user, backend, panel } = await openAda({
      reports: [riskReport('ada', [XLR_BEFORE_SONS]), riskReport('ada', [XLR_THREE_SONS])],
    });
    const carrier = await within(panel).findByTestId('risk-carrier');
    expect(carrier).toHaveTextContent('50% (population 1 in 500,000,000,000)');
    await user.click(within(panel).getByTestId('risk-explain'));
    expect(within(panel).getByTestId('explanation-summary')).toHaveTextContent('Moved most by mother: tested positive (TXL)');

    // A condition recorded in the health section.
    const section = screen.getByTestId('health-section');
    await user.click(within(section).getByTestId('condition-add'));
    await user.type(within(section).getByTestId('condition-search'), 'stroke');
    await user.click(await within(section).findByText('Stroke'));
    await user.click(within(section).getByTestId('condition-save'));

    // The old numbers stay on screen while the new ones are computed.
    await waitFor(() => expect(within(panel).getByTestId('risk-updating')).toHaveTextContent('Updating…'));
    expect(within(panel).getByTestId('risk-carrier')).toHaveTextContent('50%');
    await waitFor(() => expect(within(panel).getByTestId('risk-carrier')).toHaveTextContent('11% (population 1 in 500,000,000,000)'));
    expect(within(panel).queryByTestId('risk-updating')).not.toBeInTheDocument();
    // The open explanation follows.
    expect(within(panel).getByTestId('explanation-summary')).toHaveTextContent('Moved most by 3 sons: unaffected (ages 15–20): 50% → 11%.');
    await new Promise((r) => setTimeout(r, 400));
    expect(backend.callsTo('person_risk')).toHaveLength(2);
  });

  it('recomputes for another horizon and after the family questionnaire; not while closed', async () => {
    const { user, backend, panel } = await openAda({ reports: [riskReport('ada', [XLR_BEFORE_SONS])] });
    await within(panel).findByTestId('risk-carrier');
    await user.selectOptions(within(panel).getByLabelText('Lifetime risk up to age'), '70');
    await waitFor(() => expect(backend.callsTo('person_risk')).toHaveLength(2));
    expect(backend.callsTo('person_risk')[1]).toEqual({ req: { person: 'ada', conditions: [], horizon: 70, scope: null } });
    await waitFor(() => expect(within(panel).getByTestId('risk-affected')).toHaveTextContent('by 70: 0%'));

    // Closed: nothing is computed until it is opened again.
    const toggle = within(panel).getByTestId('risk-toggle');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(panel).queryByTestId('risk-conditions')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('open-questionnaire'));
    const dialog = await screen.findByTestId('questionnaire');
    await user.click(await within(dialog).findByTestId('q-add-mother'));
    await user.click(within(dialog).getByRole('button', { name: 'Breast cancer' }));
    await user.keyboard('44');
    await user.click(within(dialog).getByTestId('q-save'));
    expect(await within(dialog).findByTestId('q-result')).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 400));
    expect(backend.callsTo('person_risk')).toHaveLength(2);
    await user.click(within(dialog).getByTestId('q-close'));

    await user.click(toggle);
    await waitFor(() => expect(backend.callsTo('person_risk')).toHaveLength(3));
    expect(backend.callsTo('person_risk')[2].req.horizon).toBe(70);
    expect(await within(panel).findByTestId('risk-carrier')).toBeInTheDocument();
  });

  it('recomputes after the person is edited, keeping the chosen horizon', async () => {
    const { user, backend, panel } = await openAda({ reports: [riskReport('ada', [CF_SIBLING])] });
    await within(panel).findByTestId('risk-carrier');
    await user.selectOptions(within(panel).getByTestId('risk-horizon'), '50');
    await waitFor(() => expect(backend.callsTo('person_risk')).toHaveLength(2));

    await user.click(screen.getByTestId('person-edit'));
    expect(screen.queryByTestId('risk-panel')).not.toBeInTheDocument();
    await user.clear(screen.getByTestId('person-given'));
    await user.type(screen.getByTestId('person-given'), 'Augusta Ada');
    await user.click(screen.getByTestId('person-save'));
    const again = await screen.findByTestId('risk-panel');
    expect(within(again).getByTestId('risk-horizon')).toHaveValue('50');
    await waitFor(() => expect(backend.callsTo('person_risk')).toHaveLength(3));
    expect(backend.callsTo('person_risk')[2].req.horizon).toBe(50);
    await new Promise((r) => setTimeout(r, 400));
    expect(backend.callsTo('person_risk')).toHaveLength(3);
  });

  it('shows a backend refusal and keeps the previous result', async () => {
    let calls = 0;
    const user = userEvent.setup();
    const health = healthBackend(FAMILY, [], { reports: [riskReport('ada', [CF_SIBLING])] });
    mockBackend({
      vault_status: () => unlockedStatus(),
      ...health.handlers,
      person_risk: (args) => {
        if (++calls === 2) throw { kind: 'invalid_input', message: 'horizon 70 is not an age between 1 and 120' };
        return health.handlers.person_risk(args);
      },
    });
    render(App);
    await user.click((await screen.findAllByTestId('person-row')).find((r) => r.textContent?.includes('Ada'))!);
    const panel = await screen.findByTestId('risk-panel');
    expect(await within(panel).findByTestId('risk-carrier')).toHaveTextContent('67%');
    await user.selectOptions(within(panel).getByTestId('risk-horizon'), '70');
    expect(await within(panel).findByTestId('risk-error')).toHaveTextContent(
      'The risk could not be updated: horizon 70 is not an age between 1 and 120',
    );
    expect(within(panel).getByTestId('risk-carrier')).toHaveTextContent('67%');
  });
});

describe('family risk overview', () => {
  it('groups who should consider what, names them, and opens a relative’s page', async () => {
    const { user, backend } = await openAda({ reports: [riskReport('ada', [CF_PRIOR_ONLY])], overview: overviewFixture('ada') });
    await user.click(screen.getByTestId('open-family-overview'));
    const dialog = await screen.findByTestId('family-overview');
    await within(dialog).findByTestId('overview-group-genetic_counselling');
    expect(backend.callsTo('family_overview')).toEqual([{ proband: 'ada' }]);
    expect(within(dialog).getByTestId('overview-pedigree')).toHaveTextContent(
      'Read 4 people of the family (1 with health records). Genetic counselling is suggested from a carrier probability of 10%.',
    );
    expect(within(dialog).getAllByRole('heading', { level: 3 }).map((h) => h.textContent?.trim())).toEqual([
      'Genetic counselling and testing (2)',
      'Earlier screening (1)',
      'Prevention (1)',
    ]);

    const counselling = within(within(dialog).getByTestId('overview-group-genetic_counselling')).getAllByTestId('overview-item');
    await waitFor(() => expect(counselling[0]).toHaveTextContent('Eva Lovelace'));
    expect(counselling[0]).toHaveTextContent('Sister');
    expect(counselling[0]).toHaveTextContent('BRCA1-associated hereditary breast and ovarian cancer');
    expect(counselling[0]).toHaveTextContent('carrier probability 50%');
    expect(within(counselling[0]).getByTestId('overview-reason')).toHaveTextContent(
      'Carrier probability 50% for BRCA1-associated hereditary breast and ovarian cancer (not tested for BRCA1)',
    );
    // The proband: named, not a link.
    expect(counselling[1]).toHaveTextContent('This person');
    expect(within(counselling[1]).getByTestId('overview-name')).toHaveTextContent('Ada Lovelace');
    const screening = within(within(dialog).getByTestId('overview-group-screening')).getByTestId('overview-item');
    expect(screening).toHaveTextContent('High');
    expect(screening).toHaveTextContent('High familial risk of breast cancer: Premature onset in a first-degree relative');
    const prevention = within(within(dialog).getByTestId('overview-group-prevention')).getByTestId('overview-item');
    expect(prevention).toHaveTextContent('Father');
    expect(prevention).toHaveTextContent('Moderate');
    // Names are read from the vault for display, each person once; not the proband.
    expect(backend.callsTo('get_person').filter((a) => a.id !== 'ada').map((a) => a.id).sort()).toEqual(['dad', 'sis']);

    await user.click(within(prevention).getByRole('button', { name: 'Open George Byron' }));
    await waitFor(() => expect(screen.queryByTestId('family-overview')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId('person-name')).toHaveTextContent('George Byron'));
  });

  it('says when no one needs more than population recommendations, and lists what could not be assessed', async () => {
    const { user } = await openAda({
      overview: { ...overviewFixture('ada'), items: [], errors: ['Textbook X-linked disorder: the records cannot all be true under the model'] },
    });
    await user.click(screen.getByTestId('open-family-overview'));
    const dialog = await screen.findByTestId('family-overview');
    expect(await within(dialog).findByTestId('overview-empty')).toHaveTextContent(
      'No one in the family needs more than population recommendations',
    );
    expect(within(dialog).getByTestId('overview-errors')).toHaveTextContent(
      'Textbook X-linked disorder: the records cannot all be true under the model',
    );
    await user.click(within(dialog).getByTestId('overview-close'));
    await waitFor(() => expect(screen.queryByTestId('family-overview')).not.toBeInTheDocument());
    expect(screen.getByTestId('open-family-overview')).toHaveFocus();
  });

  it('warns when the family was cut short', async () => {
    const { user } = await openAda({
      overview: { ...overviewFixture('ada'), pedigree: { people: 2000, with_health_facts: 12, truncated: true } },
    });
    await user.click(screen.getByTestId('open-family-overview'));
    const dialog = await screen.findByTestId('family-overview');
    expect(await within(dialog).findByTestId('overview-truncated')).toHaveTextContent('only the 2000 closest relatives were used');
  });

  it('shows a refusal', async () => {
    const { user } = await openAda({}, {
      family_overview: () => {
        throw { kind: 'not_found', message: 'person ada is not in the family graph' };
      },
    });
    await user.click(screen.getByTestId('open-family-overview'));
    const dialog = await screen.findByTestId('family-overview');
    expect(await within(dialog).findByTestId('overview-error')).toHaveTextContent('person ada is not in the family graph');
    expect(within(dialog).queryByTestId('overview-empty')).not.toBeInTheDocument();
  });
});

describe('risk for a child', () => {
  async function openCouple(risk: RiskFixtures = {}, extra: Record<string, Handler> = {}) {
    const opened = await openAda({ reports: [riskReport('ada', [CF_PRIOR_ONLY])], ...risk }, extra);
    await opened.user.click(within(opened.panel).getByTestId('open-couple-risk'));
    const dialog = await screen.findByTestId('couple-dialog');
    expect(within(dialog).getByTestId('couple-partner')).toHaveFocus();
    return { ...opened, dialog };
  }

  async function pickPartner(user: ReturnType<typeof userEvent.setup>, dialog: HTMLElement, text: string, name: string) {
    await user.type(within(dialog).getByTestId('couple-partner'), text);
    await user.click(await within(dialog).findByRole('option', { name: new RegExp(name) }));
  }

  it('computes a Mendelian condition for the couple and shows the kinship fraction', async () => {
    const { user, backend, dialog } = await openCouple();
    await user.click(within(dialog).getByTestId('couple-submit'));
    expect(within(dialog).getByTestId('couple-error')).toHaveTextContent('Choose the partner first.');
    expect(backend.callsTo('couple_risk')).toEqual([]);

    await pickPartner(user, dialog, 'Will', 'William King');
    // Only Mendelian conditions are offered.
    await user.type(within(dialog).getByTestId('couple-condition'), 'stroke');
    expect(await within(dialog).findByTestId('condition-no-match')).toHaveTextContent('No Mendelian condition matches “stroke”.');
    await user.clear(within(dialog).getByTestId('couple-condition'));
    await user.type(within(dialog).getByTestId('couple-condition'), 'cyst');
    await user.click(await within(dialog).findByText('Cystic fibrosis'));
    const submit = within(dialog).getByTestId('couple-submit');
    expect(submit).toHaveTextContent('Calculate for Cystic fibrosis');
    await user.click(submit);

    const result = await within(dialog).findByTestId('couple-result');
    expect(backend.callsTo('couple_risk')).toEqual([{ a: 'ada', b: 'will', condition: 'cystic-fibrosis', horizon: 85 }]);
    // The father role goes to the male partner.
    expect(within(result).getByRole('heading')).toHaveTextContent('Cystic fibrosis: a child of William King and Ada Lovelace');
    expect(within(result).getByRole('heading')).toHaveFocus();
    expect(within(result).getByTestId('couple-kinship')).toHaveTextContent('1/16');
    expect(within(result).getByTestId('couple-son-affected')).toHaveTextContent('0.17%');
    expect(within(result).getByTestId('couple-daughter-affected')).toHaveTextContent('0.17%');
    expect(within(result).getByTestId('couple-daughter-carrier')).toHaveTextContent('3.7%');
    expect(within(result).getByTestId('couple-child-affected')).toHaveTextContent('0.17%');
    expect(within(result).getByTestId('explanation-summary')).toHaveTextContent("Parents' kinship φ = 1/16");
    expect(within(result).getAllByTestId('explanation-reference')[0]).toHaveTextContent('ACOG Committee Opinion No. 486');
    expect(within(result).getByTestId('explanation-reference-url')).toHaveTextContent('https://doi.org/10.1097/AOG.0b013e31821922c2');
  });

  it('without a condition, shows the consanguinity table', async () => {
    const { user, backend, dialog } = await openCouple();
    await pickPartner(user, dialog, 'Will', 'William King');
    expect(within(dialog).getByTestId('couple-horizon')).toBeDisabled();
    await user.click(within(dialog).getByTestId('couple-submit'));
    const result = await within(dialog).findByTestId('consanguinity-result');
    expect(backend.callsTo('consanguinity')).toEqual([{ a: 'ada', b: 'will' }]);
    expect(backend.callsTo('couple_risk')).toEqual([]);
    expect(within(result).getByTestId('consanguinity-f')).toHaveTextContent('1/16');
    const table = within(result).getByRole('table', { name: 'Chance of an affected child, from population allele frequencies' });
    const [cf, pku] = within(table).getAllByTestId('consanguinity-row');
    expect(within(cf).getByRole('rowheader')).toHaveTextContent('Cystic fibrosis');
    expect(within(cf).getByRole('rowheader')).toHaveTextContent('Non-Hispanic white (United States)');
    expect(cf).toHaveTextContent('0.0204');
    expect(within(cf).getByTestId('consanguinity-unrelated')).toHaveTextContent('1 in 2,399');
    expect(within(cf).getByTestId('consanguinity-couple')).toHaveTextContent('0.17%');
    expect(within(cf).getByTestId('consanguinity-added')).toHaveTextContent('0.12%');
    expect(within(cf).getByTestId('consanguinity-added')).toHaveTextContent('× 4.0');
    expect(pku).toHaveTextContent('Phenylketonuria');
    expect(within(result).getByTestId('consanguinity-notes')).toHaveTextContent('Bennett et al. 2002');
  });

  it('an unrelated couple: F = 0 and no added risk', async () => {
    const base = consanguinityFixture('ada', 'will');
    const unrelated = {
      ...base,
      inbreeding: 0,
      inbreeding_fraction: '0',
      conditions: base.conditions.map((c) => ({ ...c, couple_risk: c.unrelated_risk, added_risk: 0, relative_risk: 1 })),
    };
    const { user, dialog } = await openCouple({ consanguinity: unrelated });
    await pickPartner(user, dialog, 'Will', 'William King');
    await user.click(within(dialog).getByTestId('couple-submit'));
    const result = await within(dialog).findByTestId('consanguinity-result');
    expect(within(result).getByTestId('consanguinity-f')).toHaveTextContent('0 (not related as recorded)');
    expect(within(result).getAllByTestId('consanguinity-added')[0]).toHaveTextContent(/^0%$/);
  });

  it('refuses the same person twice, sends the chosen horizon and shows a backend refusal', async () => {
    let refuse = false;
    const { user, backend, dialog, health } = await openCouple({}, {
      couple_risk: (args) => {
        if (refuse) throw { kind: 'invalid_input', message: 'Cystic fibrosis: the records cannot all be true under the model' };
        return health.handlers.couple_risk(args);
      },
    });
    await pickPartner(user, dialog, 'Ada', 'Ada Lovelace');
    await user.click(within(dialog).getByTestId('couple-submit'));
    expect(within(dialog).getByTestId('couple-error')).toHaveTextContent('Choose someone other than Ada Lovelace');
    expect(backend.callsTo('consanguinity')).toEqual([]);

    await user.clear(within(dialog).getByTestId('couple-partner'));
    await pickPartner(user, dialog, 'Eva', 'Eva Lovelace');
    await user.type(within(dialog).getByTestId('couple-condition'), 'CFTR');
    await user.click(await within(dialog).findByText('Cystic fibrosis'));
    await user.selectOptions(within(dialog).getByTestId('couple-horizon'), '50');
    await user.click(within(dialog).getByTestId('couple-submit'));
    const result = await within(dialog).findByTestId('couple-result');
    expect(backend.callsTo('couple_risk')).toEqual([{ a: 'ada', b: 'sis', condition: 'cystic-fibrosis', horizon: 50 }]);
    expect(result).toHaveTextContent('A son affected by age 50');
    expect(within(dialog).queryByTestId('couple-error')).not.toBeInTheDocument();

    refuse = true;
    await user.click(within(dialog).getByTestId('couple-submit'));
    expect(await within(dialog).findByTestId('couple-error')).toHaveTextContent(
      'Cystic fibrosis: the records cannot all be true under the model',
    );
    expect(within(dialog).queryByTestId('couple-result')).not.toBeInTheDocument();
  });
});
