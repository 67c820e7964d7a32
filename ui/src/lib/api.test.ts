import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import { api, isApiError, onApiError, toApiError } from './api';
import type { Family } from '../bindings/Family';
import { conditionDef } from '../test/backend';

describe('toApiError', () => {
  it('passes a backend ApiError through unchanged', () => {
    expect(toApiError({ kind: 'wrong_passphrase', message: 'wrong passphrase' })).toEqual({
      kind: 'wrong_passphrase',
      message: 'wrong passphrase',
    });
  });

  it('turns plain strings (Tauri-level failures) into internal errors', () => {
    expect(toApiError('invalid args `req` for command `open_vault`')).toEqual({
      kind: 'internal',
      message: 'invalid args `req` for command `open_vault`',
    });
  });

  it('turns Error objects, unknown kinds and junk into internal errors', () => {
    expect(toApiError(new Error('boom'))).toEqual({ kind: 'internal', message: 'boom' });
    expect(toApiError({ kind: 'exploded', message: 'new kind' })).toEqual({ kind: 'internal', message: 'new kind' });
    expect(toApiError({ kind: 'locked' })).toEqual({ kind: 'internal', message: 'Something went wrong.' });
    expect(toApiError(undefined)).toEqual({ kind: 'internal', message: 'Something went wrong.' });
    expect(toApiError(42)).toEqual({ kind: 'internal', message: 'Something went wrong.' });
    expect(isApiError({ kind: 'io', message: 'disk full' })).toBe(true);
    expect(isApiError({ kind: 'io', message: 3 })).toBe(false);
  });
});

describe('api commands', () => {
  it('sends the documented command names and argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    await api.openVault({ path: '/v.kinvault', passphrase: 'secret words' });
    await api.listPeople({ search: 'ada', offset: 200, limit: 200 });
    await api.setIdleLockSeconds(600);
    await api.pickVaultPath(true);
    await api.deletePerson('p1');
    await api.lockVault();
    expect(seen).toEqual([
      ['open_vault', { req: { path: '/v.kinvault', passphrase: 'secret words' } }],
      ['list_people', { query: { search: 'ada', offset: 200, limit: 200 } }],
      ['set_idle_lock_seconds', { seconds: 600 }],
      ['pick_vault_path', { save: true }],
      ['delete_person', { id: 'p1' }],
      ['lock_vault', {}],
    ]);
  });

  it('sends the family-graph and binary-file commands with their argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    await api.saveBinaryFile('pedigree-Ada.png', 'iVBORw==');
    await api.findPersonRef('@I12@');
    await api.relate('a', 'b');
    await api.chart({ center: 'I12', kind: 'fan', generations: 5, include_non_birth: true, max_nodes: 5000 });
    expect(seen).toEqual([
      ['save_binary_file', { suggestedName: 'pedigree-Ada.png', base64: 'iVBORw==' }],
      ['find_person_ref', { reference: '@I12@' }],
      ['relate', { a: 'a', b: 'b' }],
      ['chart', { req: { center: 'I12', kind: 'fan', generations: 5, include_non_birth: true, max_nodes: 5000 } }],
    ]);
  });

  it('sends the health and clinical-format commands with their argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const condition = {
      condition: 'cystic-fibrosis',
      status: 'affected',
      onset_age: 2,
      age: null,
      certainty: 'confirmed',
      provenance: { kind: 'self_reported' },
      note: null,
    } as const;
    await api.searchCatalog('CFTR');
    await api.addCondition('@I1@', condition);
    await api.importFamilyFile('/tmp/family.ped', { condition: 'cystic-fibrosis' });
    const def = conditionDef({ id: 'family-cm', name: 'Family cardiomyopathy', user_defined: true });
    const questionnaire = { proband: 'ada', relatives: [] };
    await api.saveUserCondition(def);
    await api.deleteUserCondition('family-cm');
    await api.questionnaire('ada');
    await api.saveQuestionnaire(questionnaire);
    expect(seen).toEqual([
      ['search_catalog', { query: 'CFTR' }],
      ['add_condition', { person: '@I1@', req: condition }],
      ['import_family_file', { path: '/tmp/family.ped', options: { condition: 'cystic-fibrosis' } }],
      ['save_user_condition', { def }],
      ['delete_user_condition', { id: 'family-cm' }],
      ['questionnaire', { proband: 'ada' }],
      ['save_questionnaire', { questionnaire }],
    ]);
  });

  it('sends the family commands with their argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const family: Family = {
      id: '6f1c2a4e-8b7d-4c3a-9e21-0d5f6a7b8c9d',
      xref: null,
      partners: ['ada', 'william'],
      children: [{ person: 'byron', links: [{ parent: 'william', relationship: 'step' }] }],
      kind: 'married',
      events: [],
      twins: [],
      consanguineous: false,
      notes: [],
      citations: [],
    };
    await api.personFamilies('@I1@');
    await api.saveFamily(family);
    await api.deleteFamily(family.id);
    expect(seen).toEqual([
      ['person_families', { person: '@I1@' }],
      ['save_family', { family }],
      ['delete_family', { id: '6f1c2a4e-8b7d-4c3a-9e21-0d5f6a7b8c9d' }],
    ]);
  });

  it('sends the risk commands with their argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    await api.personRisk({ person: 'ada', conditions: [], horizon: 70, scope: null });
    await api.personRisk({
      person: '@I1@',
      conditions: ['cystic-fibrosis'],
      horizon: null,
      scope: { generations_up: 2, generations_down: 1, max_people: 200 },
    });
    await api.familyOverview('ada');
    await api.coupleRisk('ada', 'william', 'cystic-fibrosis', 85);
    await api.coupleRisk('ada', 'william', 'cystic-fibrosis', null);
    await api.consanguinity('ada', 'william');
    expect(seen).toEqual([
      ['person_risk', { req: { person: 'ada', conditions: [], horizon: 70, scope: null } }],
      [
        'person_risk',
        {
          req: {
            person: '@I1@',
            conditions: ['cystic-fibrosis'],
            horizon: null,
            scope: { generations_up: 2, generations_down: 1, max_people: 200 },
          },
        },
      ],
      ['family_overview', { proband: 'ada' }],
      ['couple_risk', { a: 'ada', b: 'william', condition: 'cystic-fibrosis', horizon: 85 }],
      ['couple_risk', { a: 'ada', b: 'william', condition: 'cystic-fibrosis', horizon: null }],
      ['consanguinity', { a: 'ada', b: 'william' }],
    ]);
  });

  it('sends the clinical pedigree and clinician report commands with their argument shapes', async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const everyone = { proband: '@I1@', generations: null, conditions: [], names: false, ages: true, test_results: false, title: null };
    await api.pedigreeDrawing(everyone);
    await api.pedigreeDrawing({ ...everyone, proband: 'ada', generations: 3, conditions: ['cystic-fibrosis'], names: true });
    await api.clinicianReport({ proband: 'ada', generations: 0, conditions: ['cystic-fibrosis'], names: false }, 'pdf');
    await api.clinicianReport({ proband: 'ada', generations: 2, conditions: [], names: true }, 'html');
    await api.saveTextFile('clinical-pedigree.svg', '<svg/>');
    expect(seen).toEqual([
      [
        'pedigree_drawing',
        { req: { proband: '@I1@', generations: null, conditions: [], names: false, ages: true, test_results: false, title: null } },
      ],
      [
        'pedigree_drawing',
        {
          req: {
            proband: 'ada',
            generations: 3,
            conditions: ['cystic-fibrosis'],
            names: true,
            ages: true,
            test_results: false,
            title: null,
          },
        },
      ],
      ['clinician_report', { req: { proband: 'ada', generations: 0, conditions: ['cystic-fibrosis'], names: false }, format: 'pdf' }],
      ['clinician_report', { req: { proband: 'ada', generations: 2, conditions: [], names: true }, format: 'html' }],
      ['save_text_file', { suggestedName: 'clinical-pedigree.svg', text: '<svg/>' }],
    ]);
  });

  it('rejects with a normalised ApiError and notifies error listeners', async () => {
    mockIPC((cmd) => {
      if (cmd === 'vault_info') throw { kind: 'locked', message: 'the vault is locked' };
      throw 'command app_info not found';
    });
    const listener = vi.fn();
    const off = onApiError(listener);
    await expect(api.vaultInfo()).rejects.toEqual({ kind: 'locked', message: 'the vault is locked' });
    await expect(api.appInfo()).rejects.toEqual({ kind: 'internal', message: 'command app_info not found' });
    off();
    expect(listener).toHaveBeenCalledTimes(2);
    expect(listener).toHaveBeenCalledWith({ kind: 'locked', message: 'the vault is locked' }, 'vault_info');
  });
});
