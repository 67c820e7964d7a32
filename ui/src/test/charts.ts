// Builders for chart and relationship fixtures: describe people and their parents, get the
// `Chart` the backend would send (children and partner links derived from the parents).
import type { Chart } from '../bindings/Chart';
import type { ChartKind } from '../bindings/ChartKind';
import type { ChartNode } from '../bindings/ChartNode';
import type { ChartRole } from '../bindings/ChartRole';
import type { LinkKind } from '../bindings/LinkKind';
import type { PathLink } from '../bindings/PathLink';
import type { PersonRef } from '../bindings/PersonRef';
import type { RelationshipInfo } from '../bindings/RelationshipInfo';
import type { Sex } from '../bindings/Sex';

export function ref(id: string, sex: Sex = 'U', birth: number | null = null, death: number | null = null, name?: string): PersonRef {
  return { id, xref: null, display_name: name ?? `Person ${id}`, sex, birth_year: birth, death_year: death };
}

export type Spec = {
  id: string;
  sex?: Sex;
  role?: ChartRole;
  generations?: number[];
  /** Parents in the chart, father first; `[id, kind]` for a non-birth link. */
  parents?: Array<string | [string, LinkKind]>;
  /** Partners in the chart (both sides are linked automatically). */
  partners?: string[];
  name?: string;
  birth?: number;
  death?: number;
  moreAncestors?: boolean;
  moreDescendants?: boolean;
};

/** A chart centred on the first spec. Roles default to center / ancestor. */
export function chartOf(kind: ChartKind, specs: Spec[], generations = 4, truncated = false): Chart {
  const nodes: ChartNode[] = specs.map((s, i) => ({
    person: ref(s.id, s.sex ?? 'U', s.birth ?? null, s.death ?? null, s.name),
    role: s.role ?? (i === 0 ? 'center' : 'ancestor'),
    generations: s.generations ?? [i === 0 ? 0 : -1],
    parents: (s.parents ?? []).map((p) => (typeof p === 'string' ? { id: p, kind: 'birth' } : { id: p[0], kind: p[1] })),
    children: [],
    partners: [],
    more_ancestors: s.moreAncestors ?? false,
    more_descendants: s.moreDescendants ?? false,
  }));
  const byId = new Map(nodes.map((n) => [n.person.id, n]));
  for (const n of nodes) {
    for (const p of n.parents) byId.get(p.id)?.children.push({ id: n.person.id, kind: p.kind });
  }
  for (const s of specs) {
    for (const q of s.partners ?? []) {
      const a = byId.get(s.id)!;
      const b = byId.get(q)!;
      if (!a.partners.includes(q)) a.partners.push(q);
      if (!b.partners.includes(s.id)) b.partners.push(s.id);
    }
  }
  const center = nodes[0];
  const collapsed = nodes.filter((n) => n.generations.length > 1 && n.role !== 'partner').length;
  return { kind, center: center.person, generations, nodes, truncated, collapsed };
}

/** A full pedigree of `generations` generations; person n (Sosa number) has id `s{n}`. */
export function fullPedigree(kind: ChartKind, generations: number, missing: Set<number> = new Set()): Chart {
  const specs: Spec[] = [];
  const total = 2 ** (generations + 1);
  for (let n = 1; n < total; n++) {
    if (missing.has(n) || [...missing].some((m) => isAncestorSosa(n, m))) continue;
    const g = Math.floor(Math.log2(n));
    const parents = [2 * n, 2 * n + 1].filter((p) => p < total && !missing.has(p)).map((p) => `s${p}`);
    specs.push({ id: `s${n}`, sex: n === 1 ? 'F' : n % 2 === 0 ? 'M' : 'F', generations: [-g], parents });
  }
  return chartOf(kind, specs, generations);
}

/** Whether Sosa number `n` is `m` or one of m's ancestors. */
function isAncestorSosa(n: number, m: number): boolean {
  while (n > m) n = Math.floor(n / 2);
  return n === m;
}

/** A relationship whose path runs through `steps` (`[person, link]`, first link null). */
export function relationship(
  steps: Array<[PersonRef, PathLink | null, LinkKind?]>,
  common: PersonRef[],
  name = 'first cousin',
): RelationshipInfo {
  return {
    name,
    description: name,
    kind: 'blood',
    ga: 0,
    gb: 0,
    half: false,
    legal: [],
    common_ancestors: common,
    via: null,
    path: steps.map(([person, link, kind]) => ({
      person,
      link,
      link_kind: link === 'parent' || link === 'child' ? (kind ?? 'birth') : null,
    })),
  };
}
