/* eslint-disable no-bitwise -- mulberry32 is defined on 32-bit integer arithmetic */
/** mulberry32: a small seeded PRNG returning uniform draws in [0, 1); the benchmarks' models are deterministic by seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */
