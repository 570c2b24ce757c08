import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  BadRequestException, CreatePrefetchScheduleCommand, DeletePrefetchScheduleCommand, GetPrefetchScheduleCommand, ListPrefetchSchedulesCommand,
  MediaTailorClient,
} from '@aws-sdk/client-mediatailor';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  AnnouncedBreakConfig, AnnouncementOutcome, ListedSchedule, PrefetchScheduleStore, readAnnouncedBreakConfig, ScheduleRefusedError,
  scheduleAnnouncedBreak, SingleScheduleRequest, sweepExpiredSchedules,
} from './announced-break';
import {
  announcedBreakDetailType, announcedBreakEventSource, announcedBreakMetrics, maxListPages, mediaTailorMaxAttempts,
} from '../../src/prefetch-session-initializer/contract/announced-break';

/** {@link PrefetchScheduleStore} through the MediaTailor API, for one playback configuration. */
export class MediaTailorPrefetchScheduleStore implements PrefetchScheduleStore {
  constructor(private readonly client: MediaTailorClient, private readonly playbackConfigurationName: string) {}

  public async listSingle(): Promise<{ schedules: ListedSchedule[]; complete: boolean }> {
    const schedules: ListedSchedule[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < maxListPages; page++) {
      const answer = await this.client.send(new ListPrefetchSchedulesCommand({
        PlaybackConfigurationName: this.playbackConfigurationName, ScheduleType: 'SINGLE', MaxResults: 100, NextToken: nextToken,
      }));
      for (const item of answer.Items ?? []) {
        const end = item.Consumption?.EndTime;
        if (item.Name && end) schedules.push({ name: item.Name, consumptionEnd: Math.floor(end.getTime() / 1000) });
      }
      nextToken = answer.NextToken;
      if (!nextToken) return { schedules, complete: true };
    }
    return { schedules, complete: false };
  }

  public async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new GetPrefetchScheduleCommand({ PlaybackConfigurationName: this.playbackConfigurationName, Name: name }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  public async create(schedule: SingleScheduleRequest): Promise<void> {
    const date = (epochSeconds: number) => new Date(epochSeconds * 1000);
    try {
      await this.client.send(new CreatePrefetchScheduleCommand({
        PlaybackConfigurationName: this.playbackConfigurationName,
        Name: schedule.name,
        ScheduleType: 'SINGLE',
        StreamId: schedule.streamId,
        Retrieval: {
          StartTime: date(schedule.retrievalStart),
          EndTime: date(schedule.retrievalEnd),
          DynamicVariables: Object.keys(schedule.dynamicVariables).length > 0 ? schedule.dynamicVariables : undefined,
          TrafficShapingType: 'RETRIEVAL_WINDOW',
          TrafficShapingRetrievalWindow: { RetrievalWindowDurationSeconds: schedule.retrievalWindowSeconds },
        },
        Consumption: {
          StartTime: date(schedule.consumptionStart),
          EndTime: date(schedule.consumptionEnd),
          AvailMatchingCriteria: schedule.availMatchingCriteria.length > 0
            ? schedule.availMatchingCriteria.map((DynamicVariable) => ({ DynamicVariable, Operator: 'EQUALS' as const }))
            : undefined,
        },
      }));
    } catch (error) {
      if (error instanceof BadRequestException) throw new ScheduleRefusedError(error.message);
      throw error;
    }
  }

  public async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeletePrefetchScheduleCommand({ PlaybackConfigurationName: this.playbackConfigurationName, Name: name }));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** An EventBridge event the function is invoked with: an announced break, or the hourly sweep (a scheduled event). */
export type AnnouncedBreakFunctionEvent = EventBridgeEvent<string, unknown>;

/** What an invocation did. */
export type AnnouncedBreakResult = AnnouncementOutcome | { readonly kind: 'swept'; readonly deleted: string[] };

/** What the handler is built from; everything defaults to the deployed function's. */
export interface AnnouncedBreakHandlerOptions {
  /** @default - read from the environment */
  readonly config?: AnnouncedBreakConfig;
  /** @default - a MediaTailor client for the function's region, {@link mediaTailorMaxAttempts} attempts per call */
  readonly client?: MediaTailorClient;
  /** Seconds since the epoch. @default the clock */
  readonly nowSeconds?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The announced-break function: EventBridge events in, SINGLE prefetch schedules out. */
export type AnnouncedBreakHandler = (event: AnnouncedBreakFunctionEvent) => Promise<AnnouncedBreakResult>;

/** Builds the handler; reads the environment once, when called. */
export function createAnnouncedBreakHandler(options: AnnouncedBreakHandlerOptions = {}): AnnouncedBreakHandler {
  const config = options.config ?? readAnnouncedBreakConfig(process.env);
  const client = options.client ?? new MediaTailorClient({ maxAttempts: mediaTailorMaxAttempts });
  const store = new MediaTailorPrefetchScheduleStore(client, config.playbackConfigurationName);
  const nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: announcedBreakMetrics.namespace });
  const count = (name: string, value: number) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  };
  return async (event) => {
    try {
      if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') {
        const swept = await sweepExpiredSchedules({ store, nowSeconds: nowSeconds() });
        count(announcedBreakMetrics.schedulesDeleted, swept.deleted.length);
        logger.info('expired announced-break schedules deleted', { deleted: swept.deleted, listComplete: swept.complete });
        return { kind: 'swept', deleted: swept.deleted };
      }
      const outcome: AnnouncementOutcome = event.source === announcedBreakEventSource && event['detail-type'] === announcedBreakDetailType
        ? await scheduleAnnouncedBreak(event.detail, { config, store, nowSeconds: nowSeconds() })
        : { kind: 'rejected', reason: `not an announced break: source must be '${announcedBreakEventSource}' and detail-type '${announcedBreakDetailType}'` };
      if (outcome.kind === 'rejected') {
        count(announcedBreakMetrics.rejectedAnnouncements, 1);
        logger.error('announced break rejected', { eventId: event.id, reason: outcome.reason });
      } else {
        count(announcedBreakMetrics.schedulesCreated, outcome.created.length);
        logger.info('announced break scheduled', { eventId: event.id, breakKey: outcome.breakKey, created: outcome.created, existing: outcome.existing });
      }
      return outcome;
    } catch (error) {
      count(announcedBreakMetrics.mediaTailorFailures, 1);
      logger.error('MediaTailor failed after retries: the invocation fails and is retried', { eventId: event.id, error: error as Error });
      throw new Error(`MediaTailor prefetch schedules: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 500));
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/** Lambda handler (EventBridge rule targets: announced breaks and the hourly sweep). */
export const handler: AnnouncedBreakHandler = (event) => (deployed ??= createAnnouncedBreakHandler())(event);
let deployed: AnnouncedBreakHandler | undefined;
