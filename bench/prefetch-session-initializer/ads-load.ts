/**
 * Model of ad-decision-server (ADS) load for one live channel behind MediaTailor: sessions join, reload their media
 * playlist every target duration, and ask the ADS for each break either when the break appears (no prefetch) or
 * during a prefetch retrieval window. Runs on a virtual clock in whole seconds with a seeded PRNG: deterministic, no
 * waiting. The mechanics modelled are MediaTailor's documented ones (UG "How prefetching works"): without shaping a
 * session's prefetch request goes out with its first manifest request in the retrieval window; with a traffic-shaping
 * retrieval window MediaTailor "spreads requests across the specified number of seconds"; TPS shaping caps the rate.
 */
import { chooseStreamId } from '../../src/prefetch-session-initializer/contract/stream-groups';
import { mulberry32 } from '../shared/seeded-random';


/** The audience and the break pattern. */
export interface Audience {
  readonly sessions: number;
  /** Sessions join uniformly over [0, joinSeconds). */
  readonly joinSeconds: number;
  /** Media playlist reload interval (the target duration). */
  readonly refreshSeconds: number;
  /** First break starts here; one every breakIntervalSeconds after. */
  readonly breakIntervalSeconds: number;
  readonly breakSeconds: number;
  /** Length of the simulated run. */
  readonly runSeconds: number;
}

/** How sessions reach the ADS. */
export interface PrefetchStrategy {
  readonly label: string;
  /** No prefetch: each session asks when the break appears in its playlist. */
  readonly prefetch: boolean;
  /** Prefetch groups (stream ids); 1 without the initializer. */
  readonly groups: number;
  /** Group k's retrieval starts (k - 1) x stagger after the previous break ends. */
  readonly staggerSeconds: number;
  /** RETRIEVAL_WINDOW traffic shaping per group, in seconds; 0 for none. */
  readonly retrievalWindowSeconds: number;
  /** TPS traffic shaping: the ADS's total budget (split over the groups); 0 for none. */
  readonly peakTps: number;
  /**
   * Share of sessions that never pass the front (started at MediaTailor directly, or by a pre-session function that
   * can only write player_params): they carry no stream id. @default 0
   */
  readonly frontlessShare?: number;
  /**
   * What a session without a stream id does when every schedule has one: a schedule without a stream id filter
   * matches it, and the API reference says a missing StreamId returns every schedule "regardless of StreamId", so it
   * is prefetched by each group's schedule (`every-schedule`, the upper bound) or, if MediaTailor retrieves once per
   * break, in the first group's window (`first-schedule`, the lower bound). @default 'every-schedule'
   */
  readonly unmatchedSessions?: 'every-schedule' | 'first-schedule';
}

/** Per-second ADS request rates of a run. */
export interface AdsLoad {
  readonly peakRps: number;
  /** 99th percentile of the per-second rate over the seconds with any ADS request. */
  readonly p99Rps: number;
  readonly requests: number;
  /** Requests that would arrive after their break started (late prefetch): 0 is required. */
  readonly lateRequests: number;
}

/** Simulates `strategy` for `audience`; `seed` fixes joins and group draws. */
export function simulate(audience: Audience, strategy: PrefetchStrategy, seed = 1): AdsLoad {
  const random = mulberry32(seed);
  const perSecond = new Array<number>(audience.runSeconds).fill(0);
  const breaks: number[] = [];
  for (let start = audience.breakIntervalSeconds; start < audience.runSeconds; start += audience.breakIntervalSeconds) breaks.push(start);
  let requests = 0;
  let lateRequests = 0;
  // TPS shaping: a token bucket per group, one slot per second; requests queue in arrival order
  const tpsPerGroup = strategy.peakTps > 0 ? Math.max(1, Math.floor(strategy.peakTps / strategy.groups)) : 0;
  const tpsUsed = new Map<string, number>();
  const count = (second: number) => {
    if (second < audience.runSeconds) perSecond[second]++;
    requests++;
  };
  for (let session = 0; session < audience.sessions; session++) {
    const joined = Math.floor(random() * audience.joinSeconds);
    const phase = joined % audience.refreshSeconds;
    const group = Number(chooseStreamId(strategy.groups, random())) - 1;
    // drawn only when the strategy has front-less sessions, so the other rows keep their numbers
    const frontless = (strategy.frontlessShare ?? 0) > 0 && random() < strategy.frontlessShare!;
    const prefetchGroups = !frontless ? [group]
      : strategy.unmatchedSessions === 'first-schedule' ? [0] : Array.from({ length: strategy.groups }, (_, index) => index);
    const nextReload = (from: number) => from + ((phase - (from % audience.refreshSeconds)) + audience.refreshSeconds) % audience.refreshSeconds;
    for (let index = 0; index < breaks.length; index++) {
      const breakStart = breaks[index];
      if (!strategy.prefetch) {
        count(nextReload(Math.max(breakStart, joined)));
        continue;
      }
      for (const prefetchGroup of prefetchGroups) {
        // retrieval for this break opens when the previous one ended (or at the schedule's start)
        const opens = (index === 0 ? 0 : breaks[index - 1] + audience.breakSeconds) + prefetchGroup * strategy.staggerSeconds;
        let at = nextReload(Math.max(opens, joined));
        if (strategy.retrievalWindowSeconds > 0) at = Math.max(at, opens + Math.floor(random() * strategy.retrievalWindowSeconds));
        if (tpsPerGroup > 0) {
          for (;;) {
            const key = `${prefetchGroup}:${at}`;
            const used = tpsUsed.get(key) ?? 0;
            if (used < tpsPerGroup) {
              tpsUsed.set(key, used + 1);
              break;
            }
            at++;
          }
        }
        if (at >= breakStart) lateRequests++;
        count(at);
      }
    }
  }
  const busy = perSecond.filter((rate) => rate > 0).sort((a, b) => a - b);
  return {
    peakRps: busy.length === 0 ? 0 : busy[busy.length - 1],
    p99Rps: busy.length === 0 ? 0 : busy[Math.min(busy.length - 1, Math.floor(busy.length * 0.99))],
    requests,
    lateRequests,
  };
}
