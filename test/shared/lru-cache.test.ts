import * as fc from 'fast-check';
import { LruCache } from '../../lambda-src/shared/lru-cache';

/** A controllable clock. */
function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => { time += ms; } };
}

/** A cache of strings weighing their length. */
function textCache(maxWeight: number, ttlMs = 60_000, now?: () => number): LruCache<string, string> {
  return new LruCache<string, string>({ maxWeight, ttlMs, weightOf: (value) => value.length, now });
}

describe('LruCache', () => {
  test('returns the value stored under a key', () => {
    const cache = textCache(100);

    cache.set('a', 'alpha');

    expect(cache.get('a')).toBe('alpha');
  });

  test('returns undefined for a key never stored', () => {
    expect(textCache(100).get('a')).toBeUndefined();
  });

  test('replaces the value of a key set twice and counts only the new weight', () => {
    const cache = textCache(100);

    cache.set('a', 'alpha');
    cache.set('a', 'al');

    expect(cache.get('a')).toBe('al');
    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(2);
  });

  test('weighs every value 1 when no weightOf is given', () => {
    const cache = new LruCache<string, string>({ maxWeight: 2, ttlMs: 60_000 });

    cache.set('a', 'a long value');
    cache.set('b', 'another long value');
    cache.set('c', 'and a third');

    expect(cache.weight).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe('and a third');
  });

  test('evicts the least recently stored entry when the budget is exceeded', () => {
    const cache = textCache(10);

    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    cache.set('c', 'cccc');

    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('bbbb');
    expect(cache.get('c')).toBe('cccc');
    expect(cache.weight).toBe(8);
  });

  test('a get makes the entry most recently used, so it survives the next eviction', () => {
    const cache = textCache(10);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');

    cache.get('a');
    cache.set('c', 'cccc');

    expect(cache.get('a')).toBe('aaaa');
    expect(cache.get('b')).toBeUndefined();
  });

  test('evicts as many least recently used entries as the new value needs', () => {
    const cache = textCache(10);
    cache.set('a', 'aaa');
    cache.set('b', 'bbb');
    cache.set('c', 'ccc');

    cache.set('d', 'dddddddd');

    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, undefined]);
    expect(cache.get('d')).toBe('dddddddd');
    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(8);
  });

  test('keeps an entry whose weight equals the whole budget', () => {
    const cache = textCache(4);

    cache.set('a', 'aaaa');

    expect(cache.get('a')).toBe('aaaa');
    expect(cache.weight).toBe(4);
  });

  test('does not cache a value heavier than the whole budget', () => {
    const cache = textCache(4);

    cache.set('a', 'aaaaa');

    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.weight).toBe(0);
  });

  test('a value heavier than the budget does not evict other entries', () => {
    const cache = textCache(4);
    cache.set('a', 'aa');

    cache.set('b', 'bbbbb');

    expect(cache.get('a')).toBe('aa');
  });

  test('a value heavier than the budget drops the previous value of its key', () => {
    const cache = textCache(4);
    cache.set('a', 'aa');

    cache.set('a', 'aaaaa');

    expect(cache.get('a')).toBeUndefined();
    expect(cache.weight).toBe(0);
  });

  test('returns an entry until its time to live has passed', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');

    time.advance(999);

    expect(cache.get('a')).toBe('alpha');
  });

  test('does not return an entry once its time to live has passed', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');

    time.advance(1_000);

    expect(cache.get('a')).toBeUndefined();
  });

  test('a get does not extend the time to live', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');

    time.advance(600);
    cache.get('a');
    time.advance(600);

    expect(cache.get('a')).toBeUndefined();
  });

  test('setting a key again restarts its time to live', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');

    time.advance(600);
    cache.set('a', 'alpha');
    time.advance(600);

    expect(cache.get('a')).toBe('alpha');
  });

  test('counts an expired entry until it is touched', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');

    time.advance(5_000);

    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(5);
  });

  test('an expired entry releases its weight when read', () => {
    const time = clock();
    const cache = textCache(100, 1_000, time.now);
    cache.set('a', 'alpha');
    cache.set('b', 'be');

    time.advance(1_000);
    cache.set('b', 'be');
    cache.get('a');

    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(2);
  });

  test('an expired entry is evicted first when it is the least recently used', () => {
    const time = clock();
    const cache = textCache(10, 1_000, time.now);
    cache.set('old', 'oooooo');

    time.advance(2_000);
    cache.set('new', 'nnnnnn');

    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(6);
    expect(cache.get('new')).toBe('nnnnnn');
  });

  test('never returns an entry when the time to live is 0', () => {
    const time = clock();
    const cache = textCache(100, 0, time.now);

    cache.set('a', 'alpha');

    expect(cache.get('a')).toBeUndefined();
  });

  test('uses Date.now when no clock is given', () => {
    const cache = textCache(100, 60_000);

    cache.set('a', 'alpha');

    expect(cache.get('a')).toBe('alpha');
  });

  test('delete removes the entry and its weight', () => {
    const cache = textCache(100);
    cache.set('a', 'alpha');
    cache.set('b', 'be');

    cache.delete('a');

    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(2);
  });

  test('delete of an absent key changes nothing', () => {
    const cache = textCache(100);
    cache.set('a', 'alpha');

    cache.delete('zzz');
    cache.delete('zzz');

    expect(cache.size).toBe(1);
    expect(cache.weight).toBe(5);
  });

  test('a get of an absent key changes nothing', () => {
    const cache = textCache(100);

    cache.get('a');

    expect(cache.size).toBe(0);
    expect(cache.weight).toBe(0);
  });

  type Command =
    | { op: 'set'; key: string; weight: number }
    | { op: 'get'; key: string }
    | { op: 'delete'; key: string }
    | { op: 'advance'; ms: number };

  const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const commandArb = (maxWeight: number): fc.Arbitrary<Command> => fc.oneof(
    fc.record({ op: fc.constant('set' as const), key: keyArb, weight: fc.integer({ min: 0, max: maxWeight + 2 }) }),
    fc.record({ op: fc.constant('get' as const), key: keyArb }),
    fc.record({ op: fc.constant('delete' as const), key: keyArb }),
    fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 700 }) }),
  );

  test('keeps its weight within budget and equal to the weights of what it still returns (property)', () => {
    const scenarioArb = fc.integer({ min: 1, max: 12 }).chain((maxWeight) => fc.record({
      maxWeight: fc.constant(maxWeight),
      ttlMs: fc.integer({ min: 0, max: 1_500 }),
      commands: fc.array(commandArb(maxWeight), { maxLength: 60 }),
    }));
    fc.assert(fc.property(scenarioArb, ({ maxWeight, ttlMs, commands }) => {
      const time = clock();
      // Values are distinct objects carrying their weight, so a stale value would be noticed.
      const cache = new LruCache<string, { weight: number; serial: number }>({ maxWeight, ttlMs, weightOf: (v) => v.weight, now: time.now });
      const lastSet = new Map<string, { weight: number; serial: number }>();
      let serial = 0;
      for (const command of commands) {
        switch (command.op) {
          case 'set': {
            const value = { weight: command.weight, serial: serial++ };
            cache.set(command.key, value);
            lastSet.set(command.key, value);
            break;
          }
          case 'get': {
            const value = cache.get(command.key);
            if (value !== undefined) expect(value).toBe(lastSet.get(command.key));
            break;
          }
          case 'delete':
            cache.delete(command.key);
            lastSet.delete(command.key);
            expect(cache.get(command.key)).toBeUndefined();
            break;
          case 'advance':
            time.advance(command.ms);
            break;
        }
        expect(cache.weight).toBeGreaterThanOrEqual(0);
        expect(cache.weight).toBeLessThanOrEqual(maxWeight);
        expect(cache.size).toBeGreaterThanOrEqual(0);
        expect(cache.size).toBeLessThanOrEqual(lastSet.size);
      }
      // Reading every key drops the expired entries; what remains is exactly what is returned.
      const returned = [...new Set(commands.flatMap((c) => ('key' in c ? [c.key] : [])))]
        .map((key) => cache.get(key))
        .filter((value): value is { weight: number; serial: number } => value !== undefined);
      expect(cache.size).toBe(returned.length);
      expect(cache.weight).toBe(returned.reduce((sum, value) => sum + value.weight, 0));
    }), { numRuns: 300 });
  });
});
