/** An entry's weight (e.g. bytes) for the cache's budget. */
export type WeightOf<V> = (value: V) => number;

/** Bounds of an {@link LruCache}. */
export interface LruCacheOptions<V> {
  /** Total weight the cache may hold; least recently used entries go first. */
  readonly maxWeight: number;
  /** Entries older than this are never returned. */
  readonly ttlMs: number;
  /** Weight of a value; every value weighs 1 when omitted. */
  readonly weightOf?: WeightOf<V>;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly weight: number;
  readonly expiresAt: number;
}

/**
 * A least-recently-used cache bounded by total weight, with a time to live. Lives across warm
 * invocations of a Lambda function; a value heavier than the whole budget is not cached.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>(); // insertion order = recency order
  private totalWeight = 0;
  private readonly now: () => number;
  private readonly weightOf: WeightOf<V>;

  constructor(private readonly options: LruCacheOptions<V>) {
    this.now = options.now ?? Date.now;
    this.weightOf = options.weightOf ?? (() => 1);
  }

  /** The fresh value for `key`, marking it most recently used; undefined when absent or expired. */
  public get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.totalWeight -= entry.weight;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value`, evicting least recently used entries until the budget holds. */
  public set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weightOf(value);
    if (weight > this.options.maxWeight) return;
    this.entries.set(key, { value, weight, expiresAt: this.now() + this.options.ttlMs });
    this.totalWeight += weight;
    for (const [oldestKey] of this.entries) {
      if (this.totalWeight <= this.options.maxWeight) break;
      this.delete(oldestKey);
    }
  }

  /** Removes `key` if present. */
  public delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }

  /** How long entries live, in milliseconds. */
  public get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Number of entries held (expired ones included until touched). */
  public get size(): number {
    return this.entries.size;
  }

  /** Total weight held. */
  public get weight(): number {
    return this.totalWeight;
  }
}
