import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ConflictException, DescribeChannelCommand, MediaLiveClient, NotFoundException, StartChannelCommand, StopChannelCommand, TooManyRequestsException,
} from '@aws-sdk/client-medialive';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ChannelApiThrottledError, ChannelControl, ChannelTransition, moveChannel, startTransition, stopTransition, TransitionOutcome } from './channel-transition';
import { answerForStart, answerForStop, channelIdOf, CustomResourceAnswer, physicalIdOf, responseBody, startsChannel } from './custom-resource';
import { stopOnDeleteMetrics, stopOnDeleteTiming } from '../../src/live-ott-pipeline/contract/stop-on-delete';

/** {@link ChannelControl} through the MediaLive API. */
export class MediaLiveChannelControl implements ChannelControl {
  constructor(private readonly client: MediaLiveClient) {}

  public async describeState(channelId: string): Promise<string | undefined> {
    try {
      const channel = await this.client.send(new DescribeChannelCommand({ ChannelId: channelId }));
      return channel.State ?? 'UNKNOWN';
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      if (error instanceof TooManyRequestsException) throw new ChannelApiThrottledError('DescribeChannel');
      throw error;
    }
  }

  public async stop(channelId: string): Promise<void> {
    await this.request('StopChannel', () => this.client.send(new StopChannelCommand({ ChannelId: channelId })));
  }

  public async start(channelId: string): Promise<void> {
    await this.request('StartChannel', () => this.client.send(new StartChannelCommand({ ChannelId: channelId })));
  }

  private async request(operation: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof ConflictException || error instanceof NotFoundException) return; // changing state or gone: the next look decides
      if (error instanceof TooManyRequestsException) throw new ChannelApiThrottledError(operation);
      throw error;
    }
  }
}

/** Sends the answer to CloudFormation's pre-signed response URL. */
export type ResponseSender = (responseUrl: string, body: string) => Promise<void>;

/** What the handler is built from; everything defaults to the deployed function's. */
export interface StopOnDeleteOptions {
  /** @default - MediaLive through an SDK client configured from the environment */
  readonly control?: ChannelControl;
  /** @default - an HTTPS PUT with fetch */
  readonly sendResponse?: ResponseSender;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default stopOnDeleteTiming.pollIntervalMs */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/**
 * The custom resource handler: Delete stops the channel and waits for IDLE; Create and Update record it, and start it
 * and wait for RUNNING when `AutoStart` asks (see {@link startsChannel}).
 */
export type StopOnDeleteHandler = (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<CustomResourceAnswer>;

/** Builds the handler. */
export function createStopOnDeleteHandler(options: StopOnDeleteOptions = {}): StopOnDeleteHandler {
  const control = options.control ?? new MediaLiveChannelControl(new MediaLiveClient({}));
  const sendResponse = options.sendResponse ?? putResponse;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: stopOnDeleteMetrics.namespace });
  return async (event, context) => {
    const answer = await answerFor(event, context).catch((error: Error): CustomResourceAnswer => {
      const verb = event.RequestType === 'Delete' ? 'stopping' : 'starting';
      logger.error(`${verb} the channel failed`, { error });
      return { Status: 'FAILED', PhysicalResourceId: physicalIdOf(event, channelIdOf(event)), Reason: `${verb} the MediaLive channel failed: ${error.name}: ${error.message}`.slice(0, 500) };
    });
    await sendResponse(event.ResponseURL, JSON.stringify(responseBody(event, answer)));
    return answer;
  };

  async function answerFor(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CustomResourceAnswer> {
    const channelId = channelIdOf(event);
    const physicalResourceId = physicalIdOf(event, channelId);
    if (event.RequestType !== 'Delete') {
      if (channelId === undefined) return { Status: 'FAILED', PhysicalResourceId: physicalResourceId, Reason: 'ChannelId must be a MediaLive channel id (digits)' };
      logger.info('channel recorded: it will be stopped before it is deleted', { channelId, requestType: event.RequestType });
      if (!startsChannel(event)) return { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId };
      const started = await move(channelId, startTransition, stopOnDeleteMetrics.channelsStarted);
      return answerForStart(channelId, physicalResourceId, started);
    }
    if (channelId === undefined) return { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId }; // no channel was ever recorded
    return answerForStop(channelId, physicalResourceId, await move(channelId, stopTransition, stopOnDeleteMetrics.channelsStopped));

    async function move(id: string, transition: ChannelTransition, metric: string): Promise<TransitionOutcome> {
      const outcome = await moveChannel(id, transition, {
        control,
        now,
        sleep,
        deadline: now() + context.getRemainingTimeInMillis() - stopOnDeleteTiming.responseReserveMs,
        pollIntervalMs: options.pollIntervalMs ?? stopOnDeleteTiming.pollIntervalMs,
        maxBackoffMs: stopOnDeleteTiming.maxBackoffMs,
      });
      logger.info(`channel ${id}: ${transition.name} ${outcome.result}`, { channelId: id, transition: transition.name, ...outcome });
      if (outcome.result === 'done') {
        metrics.addMetric(metric, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
      return outcome;
    }
  }
}

/** PUTs the response as CloudFormation documents it: no content type (the URL is pre-signed without one). */
async function putResponse(responseUrl: string, body: string): Promise<void> {
  const response = await fetch(responseUrl, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response URL answered ${response.status}`);
}

/** Lambda handler (the custom resource's service token). */
export const handler: StopOnDeleteHandler = createStopOnDeleteHandler();
