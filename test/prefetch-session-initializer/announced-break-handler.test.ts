/**
 * The announced-break function, built as deployed (the MediaTailor SDK client), against a loopback fake of
 * MediaTailor's prefetch schedule API that keeps schedules in memory and can be told to throttle.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MediaTailorClient } from '@aws-sdk/client-mediatailor';
import { AnnouncedBreakConfig } from '../../lambda-src/prefetch-session-initializer/announced-break';
import { AnnouncedBreakFunctionEvent, createAnnouncedBreakHandler } from '../../lambda-src/prefetch-session-initializer/announced-break.lambda';
import {
  announcedBreakDetailType, announcedBreakEventSource, announcedBreakMetrics, mediaTailorMaxAttempts,
} from '../../src/prefetch-session-initializer/contract/announced-break';
import { awsJsonError, FakeEndpoint, FakeResponse, RecordedRequest, startFakeEndpoint } from '../harness/fake-endpoint';

const configurationName = 'psi-config';
const config: AnnouncedBreakConfig = {
  playbackConfigurationName: configurationName,
  groupCount: 3,
  retrievalLeadSeconds: 300,
  retrievalEndsBeforeBreakSeconds: 30,
  maxOverlappingBreaks: 1,
};
/** 2026-12-01T20:00:00Z: the test's "now". */
const now = Date.parse('2026-12-01T20:00:00Z') / 1000;
const breakTime = '2026-12-01T20:10:00Z';
const breakAt = Date.parse(breakTime) / 1000;

/** What the fake keeps per schedule: the request body MediaTailor was sent. */
const schedules = new Map<string, Record<string, any>>();
let throttleNext = 0;
let refuseCreate: string | undefined;
/** Called before the fake handles a CreatePrefetchSchedule of `name` (to play a concurrent writer). */
let beforeCreate: ((name: string) => void) | undefined;
/** Schedules the list shows although they are gone (MediaTailor's list lagging behind a delete). */
let listedGhosts: Array<Record<string, any>> = [];
let mediaTailor: FakeEndpoint;
let client: MediaTailorClient;
let metrics: Metrics;
/** Metric values the handler added, by name. */
let added: Record<string, number>;

function answer(request: RecordedRequest): FakeResponse {
  if (throttleNext > 0) {
    throttleNext--;
    return awsJsonError(429, 'TooManyRequestsException', 'Rate exceeded');
  }
  const [, root, configuration, name] = request.path.split('/');
  if (root !== 'prefetchSchedule' || configuration !== configurationName) return awsJsonError(404, 'NotFoundException', 'no such configuration');
  if (name === undefined && request.method === 'POST') {
    const body = request.json as { ScheduleType?: string };
    const items = [...schedules.entries()]
      .filter(([, schedule]) => body.ScheduleType === undefined || schedule.ScheduleType === body.ScheduleType)
      .map(([scheduleName, schedule]) => ({ ...schedule, Name: scheduleName, PlaybackConfigurationName: configurationName, Arn: `arn:aws:mediatailor:eu-west-1:111111111111:prefetchSchedule/${configurationName}/${scheduleName}` }));
    return { status: 200, body: { Items: [...items, ...listedGhosts] } };
  }
  if (request.method === 'POST') beforeCreate?.(name);
  const existing = schedules.get(name);
  if (request.method === 'GET') return existing ? { status: 200, body: { ...existing, Name: name } } : awsJsonError(404, 'NotFoundException', 'Prefetch schedule not found');
  if (request.method === 'DELETE') {
    if (!existing) return awsJsonError(404, 'NotFoundException', 'Prefetch schedule not found');
    schedules.delete(name);
    return { status: 204 };
  }
  if (request.method === 'POST') {
    if (refuseCreate !== undefined) return awsJsonError(400, 'BadRequestException', refuseCreate);
    if (existing) return awsJsonError(400, 'BadRequestException', `Prefetch schedule ${name} already exists`);
    schedules.set(name, request.json as Record<string, any>);
    return { status: 200, body: { ...(request.json as object), Name: name } };
  }
  return awsJsonError(405, 'MethodNotAllowed', request.method);
}

beforeAll(async () => {
  mediaTailor = await startFakeEndpoint(answer);
  client = new MediaTailorClient({
    endpoint: mediaTailor.url, region: 'eu-west-1', maxAttempts: mediaTailorMaxAttempts, credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
});
afterAll(async () => {
  client?.destroy();
  await mediaTailor?.close();
});
beforeEach(() => {
  schedules.clear();
  mediaTailor.requests.length = 0;
  throttleNext = 0;
  refuseCreate = undefined;
  beforeCreate = undefined;
  listedGhosts = [];
  metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  added = {};
  jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
    added[name] = (added[name] ?? 0) + value;
    return metrics;
  });
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
});

function handlerAt(seconds: number) {
  return createAnnouncedBreakHandler({ config, client, nowSeconds: () => seconds, logger: new Logger({ logLevel: 'SILENT' }), metrics });
}

function announcement(detail: unknown, overrides: Partial<AnnouncedBreakFunctionEvent> = {}): AnnouncedBreakFunctionEvent {
  return {
    'version': '0',
    'id': 'e-1',
    'source': announcedBreakEventSource,
    'detail-type': announcedBreakDetailType,
    'account': '111111111111',
    'time': '2026-12-01T20:00:00Z',
    'region': 'eu-west-1',
    'resources': [],
    detail,
    ...overrides,
  };
}

const sweepEvent = (time: string): AnnouncedBreakFunctionEvent => announcement({}, { 'source': 'aws.events', 'detail-type': 'Scheduled Event', time });

const validDetail = {
  playbackConfigurationName: configurationName,
  breakTime,
  durationSeconds: 120,
  breakId: 'match-42-half',
  availMatchingCriteria: ['scte.event_id'],
  dynamicVariables: { 'scte.event_id': '42', 'session.avail_duration_secs': '120' },
};

function creates(): RecordedRequest[] {
  return mediaTailor.requests.filter((request) => request.method === 'POST' && request.path.split('/').length === 4);
}

describe('announced-break function against the MediaTailor SDK', () => {
  test('sends one SINGLE CreatePrefetchSchedule per group, retrieval windows staggered and consumption over the break', async () => {
    const outcome = await handlerAt(now)(announcement(validDetail));
    expect(outcome).toEqual({ kind: 'scheduled', breakKey: 'match-42-half', created: ['announced-break-match-42-half-1', 'announced-break-match-42-half-2', 'announced-break-match-42-half-3'], existing: [] });
    // 300 s lead, retrieval ends 30 s before the break: 270 s cut into three 90 s slices
    const windowStart = breakAt - 300;
    expect(creates().map((request) => ({ path: request.path, body: request.json }))).toEqual([1, 2, 3].map((group) => ({
      path: `/prefetchSchedule/${configurationName}/announced-break-match-42-half-${group}`,
      body: {
        ScheduleType: 'SINGLE',
        StreamId: String(group),
        Retrieval: {
          StartTime: windowStart + (group - 1) * 90,
          EndTime: windowStart + group * 90,
          DynamicVariables: { 'scte.event_id': '42', 'session.avail_duration_secs': '120' },
          TrafficShapingType: 'RETRIEVAL_WINDOW',
          TrafficShapingRetrievalWindow: { RetrievalWindowDurationSeconds: 90 },
        },
        Consumption: {
          StartTime: breakAt - 30,
          EndTime: breakAt + 120 + 120,
          AvailMatchingCriteria: [{ DynamicVariable: 'scte.event_id', Operator: 'EQUALS' }],
        },
      },
    })));
  });

  test('a break announced late squeezes the groups into the time left', async () => {
    await handlerAt(breakAt - 120)(announcement({ playbackConfigurationName: configurationName, breakTime, durationSeconds: 60 }));
    const windows = creates().map((request) => (request.json as any).Retrieval);
    expect(windows.map((window) => [window.StartTime - breakAt, window.EndTime - breakAt])).toEqual([[-120, -90], [-90, -60], [-60, -30]]);
    expect(creates()[0].path).toBe(`/prefetchSchedule/${configurationName}/announced-break-t${breakAt}-1`);
    expect((creates()[0].json as any).Retrieval.DynamicVariables).toBeUndefined();
    expect((creates()[0].json as any).Consumption.AvailMatchingCriteria).toBeUndefined();
  });

  test('is idempotent: the same announcement again (a retry) creates nothing and succeeds', async () => {
    await handlerAt(now)(announcement(validDetail));
    const before = JSON.stringify([...schedules.entries()]);
    mediaTailor.requests.length = 0;
    const again = await handlerAt(now + 40)(announcement(validDetail, { id: 'e-2' }));
    expect(again).toMatchObject({ kind: 'scheduled', created: [], existing: ['announced-break-match-42-half-1', 'announced-break-match-42-half-2', 'announced-break-match-42-half-3'] });
    expect(creates()).toHaveLength(0);
    expect(JSON.stringify([...schedules.entries()])).toBe(before);
  });

  test('a schedule created between its list and its create (a concurrent retry) counts as existing, confirmed with GetPrefetchSchedule', async () => {
    const concurrent = 'announced-break-match-42-half-2';
    beforeCreate = (name) => {
      if (name === concurrent) schedules.set(concurrent, { ScheduleType: 'SINGLE', StreamId: '2', Consumption: { EndTime: breakAt + 240 } });
    };
    const outcome = await handlerAt(now)(announcement(validDetail));
    expect(outcome).toMatchObject({ kind: 'scheduled', created: ['announced-break-match-42-half-1', 'announced-break-match-42-half-3'], existing: [concurrent] });
    expect(mediaTailor.requests.filter((request) => request.method === 'GET').map((request) => request.path)).toEqual([`/prefetchSchedule/${configurationName}/${concurrent}`]);
    expect(added).toEqual({ [announcedBreakMetrics.schedulesCreated]: 2 });
  });

  test('retries throttled calls with backoff and succeeds', async () => {
    throttleNext = 2;
    const outcome = await handlerAt(now)(announcement(validDetail));
    expect(outcome).toMatchObject({ kind: 'scheduled', created: expect.arrayContaining(['announced-break-match-42-half-1']) });
    expect(schedules.size).toBe(3);
    const throttled = mediaTailor.requests.slice(0, 3);
    expect(throttled.map((request) => request.path)).toEqual(Array(3).fill(`/prefetchSchedule/${configurationName}`)); // the list, twice refused
  });

  test(`gives up after ${mediaTailorMaxAttempts} attempts: the invocation fails (for Lambda to retry) and counts a failure`, async () => {
    throttleNext = 100;
    await expect(handlerAt(now)(announcement(validDetail))).rejects.toThrow(/MediaTailor prefetch schedules: TooManyRequestsException: Rate exceeded/);
    expect(mediaTailor.requests).toHaveLength(mediaTailorMaxAttempts);
    expect(added).toEqual({ [announcedBreakMetrics.mediaTailorFailures]: 1 });
  }, 60_000);

  test('a schedule MediaTailor refuses as invalid is a rejection, not a retry', async () => {
    refuseCreate = 'Retrieval window invalid';
    const outcome = await handlerAt(now)(announcement(validDetail));
    expect(added).toEqual({ [announcedBreakMetrics.rejectedAnnouncements]: 1 });
    expect(outcome).toEqual({ kind: 'rejected', reason: 'MediaTailor refused schedule announced-break-match-42-half-1: Retrieval window invalid' });
  });

  test('refuses a break that would exceed the quota share reserved for overlapping breaks', async () => {
    await handlerAt(now)(announcement(validDetail));
    mediaTailor.requests.length = 0;
    const outcome = await handlerAt(now)(announcement({ ...validDetail, breakId: 'other', breakTime: '2026-12-01T20:12:00Z' }));
    expect(outcome).toEqual({ kind: 'rejected', reason: "break 'other' would be announced break 2 with active schedules; the construct reserved prefetch-schedule quota for 1 (maxOverlappingBreaks) x 3 groups" });
    expect(creates()).toHaveLength(0);
  });

  test.each([
    ['not an object', 'x', 'detail must be a JSON object'],
    ['another configuration', { ...validDetail, playbackConfigurationName: 'theirs' }, `playbackConfigurationName must be '${configurationName}' (the configuration this function manages), got "theirs"`],
    ['a time without a zone', { ...validDetail, breakTime: '2026-12-01T20:10:00' }, 'breakTime must be an ISO-8601 time with a zone (e.g. 2026-12-01T20:15:00Z), got "2026-12-01T20:10:00"'],
    ['a fractional duration', { ...validDetail, durationSeconds: 1.5 }, 'durationSeconds must be an integer from 1 to 3600, got 1.5'],
    ['a missing duration', { playbackConfigurationName: configurationName, breakTime }, 'durationSeconds must be an integer from 1 to 3600, got undefined'],
    ['a break id with a slash', { ...validDetail, breakId: 'a/b' }, 'breakId must be 1 to 32 letters, digits, \'-\' or \'_\', got "a/b"'],
    ['six matching criteria', { ...validDetail, availMatchingCriteria: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'availMatchingCriteria must be at most 5 dynamic variable names, got ["a","b","c","d","e","f"]'],
    ['a number as variable value', { ...validDetail, dynamicVariables: { 'scte.event_id': 42 } }, "dynamicVariables 'scte.event_id' must be a variable name with a string value of at most 256 characters"],
    ['a misspelt key', { ...validDetail, breakStart: breakTime }, "detail has an unknown key 'breakStart'; accepted: playbackConfigurationName, breakTime, durationSeconds, breakId, availMatchingCriteria, dynamicVariables"],
    ['a break in the past', { ...validDetail, breakTime: '2026-12-01T19:59:00Z' }, 'the break at 2026-12-01T19:59:00Z is announced too late: retrieval must end 30 s before it, which leaves less than one second for each of 3 groups'],
    ['a break two days ahead', { ...validDetail, breakTime: '2026-12-03T20:00:00Z' }, 'the break at 2026-12-03T20:00:00Z is too far ahead: its prefetched ads would stay usable until 2026-12-03T20:04:00Z, and MediaTailor accepts less than 24 hours from now'],
  ])('rejects %s with a one-line reason, a metric and no MediaTailor call', async (_name, detail, reason) => {
    const outcome = await handlerAt(now)(announcement(detail));
    expect(outcome).toEqual({ kind: 'rejected', reason });
    expect(creates()).toHaveLength(0);
    expect(added).toEqual({ [announcedBreakMetrics.rejectedAnnouncements]: 1 });
  });

  test('rejects an event that is not an announced break', async () => {
    const outcome = await handlerAt(now)(announcement(validDetail, { 'detail-type': 'Something Else' }));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^not an announced break/) });
    expect(mediaTailor.requests).toHaveLength(0);
  });
});

describe('the sweep deletes expired announced-break schedules, and only those', () => {
  test('after the consumption window (plus the grace) it deletes the break\'s schedules; before, nothing', async () => {
    await handlerAt(now)(announcement(validDetail));
    schedules.set('evening-1', { ScheduleType: 'RECURRING', StreamId: '1', RecurringPrefetchConfiguration: { EndTime: breakAt } });
    schedules.set('users-own-single', { ScheduleType: 'SINGLE', StreamId: '1', Consumption: { EndTime: breakAt } });
    const consumptionEnd = breakAt + 240;
    added = {};

    expect(await handlerAt(consumptionEnd + 299)(sweepEvent('2026-12-01T20:18:59Z'))).toEqual({ kind: 'swept', deleted: [] });
    expect(schedules.size).toBe(5);

    const swept = await handlerAt(consumptionEnd + 300)(sweepEvent('2026-12-01T20:19:00Z'));
    expect(swept).toEqual({ kind: 'swept', deleted: ['announced-break-match-42-half-1', 'announced-break-match-42-half-2', 'announced-break-match-42-half-3'] });
    expect([...schedules.keys()]).toEqual(['evening-1', 'users-own-single']);
    expect(mediaTailor.requests.filter((request) => request.method === 'DELETE').map((request) => request.path))
      .toEqual([1, 2, 3].map((group) => `/prefetchSchedule/${configurationName}/announced-break-match-42-half-${group}`));
    expect(added).toEqual({ [announcedBreakMetrics.schedulesDeleted]: 3 });
  });

  test('a schedule MediaTailor already removed (404 on delete) counts as deleted', async () => {
    listedGhosts = [{ Name: 'announced-break-gone-1', ScheduleType: 'SINGLE', StreamId: '1', Consumption: { EndTime: now - 3600 } }];
    expect(await handlerAt(now)(sweepEvent('2026-12-01T20:00:00Z'))).toEqual({ kind: 'swept', deleted: ['announced-break-gone-1'] });
    expect(mediaTailor.requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });
});
