import { Audience, PrefetchStrategy, simulate } from './ads-load';

/**
 * The scenario: 200,000 sessions joining over 10 minutes, one 120 s break every 15 minutes, 6 s playlists,
 * one hour. Prints peak and p99 ADS requests per second for each strategy.
 */
const audience: Audience = { sessions: 200_000, joinSeconds: 600, refreshSeconds: 6, breakIntervalSeconds: 900, breakSeconds: 120, runSeconds: 3600 };
const groups = 8;
const none = { staggerSeconds: 0, retrievalWindowSeconds: 0, peakTps: 0 };
const strategies: PrefetchStrategy[] = [
  { label: 'no prefetch', prefetch: false, groups: 1, ...none },
  { label: 'prefetch, 1 group', prefetch: true, groups: 1, ...none },
  { label: `prefetch, ${groups} groups staggered 30 s`, prefetch: true, groups, ...none, staggerSeconds: 30 },
  { label: 'traffic shaping: 240 s window, 1 group', prefetch: true, groups: 1, ...none, retrievalWindowSeconds: 240 },
  { label: `traffic shaping: 30 s windows, ${groups} groups staggered 30 s`, prefetch: true, groups, ...none, staggerSeconds: 30, retrievalWindowSeconds: 30 },
  { label: 'traffic shaping: 600 s window, 1 group', prefetch: true, groups: 1, ...none, retrievalWindowSeconds: 600 },
  { label: 'TPS shaping: 500 TPS, 1 group', prefetch: true, groups: 1, ...none, peakTps: 500 },
  { label: `TPS shaping: 500 TPS, ${groups} groups`, prefetch: true, groups, ...none, peakTps: 500 },
  // sessions that never pass the front carry no stream id (a pre-session function can write only player_params)
  { label: `${groups} groups staggered 30 s, 30% front-less, each group's schedule prefetches them (upper bound)`, prefetch: true, groups, ...none, staggerSeconds: 30, frontlessShare: 0.3 },
  { label: `${groups} groups staggered 30 s, 30% front-less, prefetched once in group 1's window (lower bound)`, prefetch: true, groups, ...none, staggerSeconds: 30, frontlessShare: 0.3, unmatchedSessions: 'first-schedule' },
  { label: 'front-less only (no stream ids): 1 schedule, traffic shaping 240 s window', prefetch: true, groups: 1, ...none, retrievalWindowSeconds: 240, frontlessShare: 1 },
  { label: `${groups} groups, 30 s windows staggered 30 s, 30% front-less (upper bound)`, prefetch: true, groups, ...none, staggerSeconds: 30, retrievalWindowSeconds: 30, frontlessShare: 0.3 },
];

const rows = strategies.map((strategy) => ({ strategy, load: simulate(audience, strategy) }));
const oneGroup = rows[1].load.peakRps;
console.log(`ADS load: ${audience.sessions.toLocaleString('en-US')} sessions joining over ${audience.joinSeconds / 60} min, a ${audience.breakSeconds} s break every ${audience.breakIntervalSeconds / 60} min, ${audience.refreshSeconds} s playlists, ${audience.runSeconds / 60} min`);
console.log('| strategy | peak ADS req/s | p99 ADS req/s | peak vs 1 group | requests | late (after break start) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const { strategy, load } of rows) {
  const ratio = strategy.prefetch ? `${(load.peakRps / oneGroup).toFixed(3)}` : '-';
  console.log(`| ${strategy.label} | ${load.peakRps.toLocaleString('en-US')} | ${load.p99Rps.toLocaleString('en-US')} | ${ratio} | ${load.requests.toLocaleString('en-US')} | ${load.lateRequests.toLocaleString('en-US')} |`);
}
const staggered = rows[2].load.peakRps;
// the groups are drawn at random per session, so a group holds 1/N of the sessions only on average
console.log(`\n${groups} staggered groups: peak ${staggered} req/s = 1/${(oneGroup / staggered).toFixed(2)} of one group's ${oneGroup} (the issue's target: 1/${groups})`);
