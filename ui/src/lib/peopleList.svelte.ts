// Data behind the virtualized people list: pages of PAGE_SIZE rows fetched by offset as the
// window moves, held in a bounded LRU cache. Each new query gets a generation number; any
// response from an older generation is dropped, so only the latest search is ever shown.
import type { PeoplePage } from '../bindings/PeoplePage';
import type { PeopleQuery } from '../bindings/PeopleQuery';
import type { PersonSummary } from '../bindings/PersonSummary';
import { toApiError, type ApiError } from './api';
import { PageCache } from './pageCache';

export const PAGE_SIZE = 200;
/** 50 pages × 200 rows = 10,000 summaries at most in memory. */
export const MAX_CACHED_PAGES = 50;
export const SEARCH_DEBOUNCE_MS = 150;
/** Wait this long after the window stops moving before fetching (a fast scrollbar drag would
 * otherwise ask for every page it passes). */
export const FETCH_DELAY_MS = 40;

export type FetchPage = (query: PeopleQuery) => Promise<PeoplePage>;

export type PeopleListOptions = {
  pageSize?: number;
  maxPages?: number;
  debounceMs?: number;
  fetchDelayMs?: number;
};

export class PeopleList {
  /** Rows matching the current query. */
  total = $state(0);
  /** The search text the shown rows belong to. */
  search = $state('');
  /** True until the first page of the latest query has arrived. */
  loading = $state(true);
  error = $state<ApiError | null>(null);
  /** Bumped whenever a new query's first page lands (the list scrolls to the top). */
  queryId = $state(0);
  /** Bumped whenever any page lands, so rows reading `get()` re-render. */
  #version = $state(0);

  readonly pageSize: number;
  readonly #fetchPage: FetchPage;
  readonly #cache: PageCache<PersonSummary>;
  readonly #pending = new Set<number>();
  readonly #debounceMs: number;
  readonly #fetchDelayMs: number;
  #generation = 0;
  #range = { start: 0, end: 0 };
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #fillTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(fetchPage: FetchPage, options: PeopleListOptions = {}) {
    this.#fetchPage = fetchPage;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.#cache = new PageCache(options.maxPages ?? MAX_CACHED_PAGES);
    this.#debounceMs = options.debounceMs ?? SEARCH_DEBOUNCE_MS;
    this.#fetchDelayMs = options.fetchDelayMs ?? FETCH_DELAY_MS;
  }

  /** The row at `index`, or undefined while its page is loading. */
  get(index: number): PersonSummary | undefined {
    void this.#version; // reactive dependency
    const page = Math.floor(index / this.pageSize);
    return this.#cache.get(page)?.[index - page * this.pageSize];
  }

  /** Pages currently cached (for tests and diagnostics). */
  cachedPages(): number[] {
    return this.#cache.pages();
  }

  /** Search as the user types: waits for a pause before querying. */
  type(text: string): void {
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.load(text), this.#debounceMs);
  }

  /** Runs a query now. With keepPosition, reloads around the current window (after edits). */
  async load(search: string, keepPosition = false): Promise<void> {
    clearTimeout(this.#searchTimer);
    clearTimeout(this.#fillTimer);
    const generation = ++this.#generation;
    this.#pending.clear();
    this.loading = true;
    const firstPage = keepPosition ? Math.floor(this.#range.start / this.pageSize) : 0;
    try {
      const page = await this.#fetchPage(this.#query(search, firstPage));
      if (generation !== this.#generation) return; // a newer query has started
      this.#cache.clear();
      this.#cache.set(firstPage, page.items);
      this.search = search;
      this.total = page.total;
      this.error = null;
      this.loading = false;
      if (!keepPosition) {
        this.#range = { start: 0, end: Math.min(this.#range.end - this.#range.start, page.total) };
        this.queryId++;
      }
      this.#version++;
      this.#fill();
    } catch (e) {
      if (generation !== this.#generation) return;
      this.error = toApiError(e);
      this.loading = false;
    }
  }

  /** Reloads the current query, keeping the scroll position (after add, edit or delete). */
  refresh(): Promise<void> {
    return this.load(this.search, true);
  }

  /** The list's visible window moved: fetch the pages it needs (after a short pause). */
  setRange(start: number, end: number): void {
    this.#range = { start, end };
    if (this.loading || this.#missingPages().length === 0) return;
    clearTimeout(this.#fillTimer);
    this.#fillTimer = setTimeout(() => this.#fill(), this.#fetchDelayMs);
  }

  dispose(): void {
    this.#generation++;
    clearTimeout(this.#searchTimer);
    clearTimeout(this.#fillTimer);
    this.#cache.clear();
    this.#pending.clear();
  }

  #query(search: string, page: number): PeopleQuery {
    const s = search.trim();
    return { search: s ? s : null, offset: page * this.pageSize, limit: this.pageSize };
  }

  #missingPages(): number[] {
    const { start, end } = this.#range;
    if (end <= start || this.total === 0) return [];
    const last = Math.floor((Math.min(end, this.total) - 1) / this.pageSize);
    const missing: number[] = [];
    for (let p = Math.floor(start / this.pageSize); p <= last; p++) {
      if (!this.#cache.has(p) && !this.#pending.has(p)) missing.push(p);
    }
    return missing;
  }

  #fill(): void {
    for (const page of this.#missingPages()) void this.#fetch(page);
  }

  async #fetch(page: number): Promise<void> {
    const generation = this.#generation;
    this.#pending.add(page);
    try {
      const result = await this.#fetchPage(this.#query(this.search, page));
      if (generation !== this.#generation) return;
      this.#cache.set(page, result.items);
      if (result.total !== this.total) this.total = result.total;
      this.#version++;
    } catch (e) {
      if (generation !== this.#generation) return;
      this.error = toApiError(e);
    } finally {
      if (generation === this.#generation) this.#pending.delete(page);
    }
  }
}
