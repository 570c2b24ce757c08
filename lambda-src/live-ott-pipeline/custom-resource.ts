import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { TransitionOutcome } from './channel-transition';
import { stopOnDeleteProperties } from '../../src/live-ott-pipeline/contract/stop-on-delete';

/** The CloudFormation custom resource's answer, before it is sent to the pre-signed response URL. */
export type CustomResourceAnswer = Pick<CloudFormationCustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId'>;

/** The channel id the event names, or undefined when the property is missing or not a channel id. */
export function channelIdOf(event: CloudFormationCustomResourceEvent): string | undefined {
  const value: unknown = event.ResourceProperties[stopOnDeleteProperties.channelId];
  return typeof value === 'string' && /^[0-9]{1,32}$/.test(value) ? value : undefined;
}

/** Whether `properties` ask for the channel to be started: `AutoStart` is `'true'` (CloudFormation passes strings). */
function autoStartOf(properties: Record<string, unknown> | undefined): boolean {
  return String(properties?.[stopOnDeleteProperties.autoStart]) === 'true';
}

/**
 * Whether this event starts the channel: a Create with `AutoStart`, or an Update where `AutoStart` turned true or the
 * channel was replaced (a new channel is created stopped). Turning `AutoStart` off does not stop a running channel.
 */
export function startsChannel(event: CloudFormationCustomResourceEvent): boolean {
  if (event.RequestType === 'Delete' || !autoStartOf(event.ResourceProperties)) return false;
  if (event.RequestType === 'Create') return true;
  const old = event.OldResourceProperties;
  return !autoStartOf(old) || old?.[stopOnDeleteProperties.channelId] !== event.ResourceProperties[stopOnDeleteProperties.channelId];
}

/**
 * The physical id of the resource: it carries the channel id, so when the channel is replaced the id changes and
 * CloudFormation deletes the old resource, which stops the old channel. A Delete keeps the id it was given.
 */
export function physicalIdOf(event: CloudFormationCustomResourceEvent, channelId: string | undefined): string {
  return event.RequestType === 'Delete' ? event.PhysicalResourceId : `stop-on-delete-${channelId ?? 'none'}`;
}

/** The answer to a Delete, from how stopping the channel ended: a missing channel needs no stop. */
export function answerForStop(channelId: string, physicalResourceId: string, outcome: TransitionOutcome): CustomResourceAnswer {
  if (outcome.result === 'timed-out' || outcome.result === 'unreachable') {
    return {
      Status: 'FAILED',
      PhysicalResourceId: physicalResourceId,
      Reason: `MediaLive channel ${channelId} did not stop in time (last state ${outcome.state ?? 'unknown'}): stop it, wait for IDLE, then delete the stack again`,
    };
  }
  return { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId };
}

/** The answer to a Create or Update that starts the channel, from how starting it ended. */
export function answerForStart(channelId: string, physicalResourceId: string, outcome: TransitionOutcome): CustomResourceAnswer {
  const fail = (why: string): CustomResourceAnswer => ({ Status: 'FAILED', PhysicalResourceId: physicalResourceId, Reason: `MediaLive channel ${channelId} ${why}` });
  switch (outcome.result) {
    case 'not-found': return fail('does not exist, so it cannot be started');
    case 'unreachable': return fail(`cannot start from state ${outcome.state}: see the channel's alerts in the MediaLive console`);
    case 'timed-out': return fail(`did not reach RUNNING in time (last state ${outcome.state ?? 'unknown'}): see the channel's alerts, then deploy again or start it with aws medialive start-channel`);
    default: return { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId };
  }
}

/** The body CloudFormation expects at the response URL. */
export function responseBody(event: CloudFormationCustomResourceEvent, answer: CustomResourceAnswer): CloudFormationCustomResourceResponse {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: answer.PhysicalResourceId,
  };
  return answer.Status === 'SUCCESS'
    ? { ...base, Status: 'SUCCESS' }
    : { ...base, Status: 'FAILED', Reason: answer.Reason ?? 'failed' };
}
