/** A bounded least-recently-used map of page number → rows. */
export class PageCache<T> {
  readonly #pages = new Map<number, T[]>();

  constructor(readonly maxPages: number) {
    if (maxPages < 1) throw new RangeError('maxPages must be at least 1');
  }

  get size(): number {
    return this.#pages.size;
  }

  has(page: number): boolean {
    return this.#pages.has(page);
  }

  /** Reads a page and marks it most recently used. */
  get(page: number): T[] | undefined {
    const rows = this.#pages.get(page);
    if (rows !== undefined) {
      this.#pages.delete(page);
      this.#pages.set(page, rows);
    }
    return rows;
  }

  set(page: number, rows: T[]): void {
    this.#pages.delete(page);
    this.#pages.set(page, rows);
    while (this.#pages.size > this.maxPages) {
      // Maps iterate in insertion order, so the first key is the least recently used.
      const oldest = this.#pages.keys().next().value as number;
      this.#pages.delete(oldest);
    }
  }

  clear(): void {
    this.#pages.clear();
  }

  pages(): number[] {
    return [...this.#pages.keys()];
  }
}
