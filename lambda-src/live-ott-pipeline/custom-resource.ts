import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { StopOutcome } from './stop-channel';
import { stopOnDeleteProperties } from '../../src/live-ott-pipeline/contract/stop-on-delete';

/** The CloudFormation custom resource's answer, before it is sent to the pre-signed response URL. */
export type CustomResourceAnswer = Pick<CloudFormationCustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId'>;

/** The channel id the event names, or undefined when the property is missing or not a channel id. */
export function channelIdOf(event: CloudFormationCustomResourceEvent): string | undefined {
  const value: unknown = event.ResourceProperties[stopOnDeleteProperties.channelId];
  return typeof value === 'string' && /^[0-9]{1,32}$/.test(value) ? value : undefined;
}

/**
 * The physical id of the resource: it carries the channel id, so when the channel is replaced the id changes and
 * CloudFormation deletes the old resource, which stops the old channel. A Delete keeps the id it was given.
 */
export function physicalIdOf(event: CloudFormationCustomResourceEvent, channelId: string | undefined): string {
  return event.RequestType === 'Delete' ? event.PhysicalResourceId : `stop-on-delete-${channelId ?? 'none'}`;
}

/** The answer to a Delete, from how stopping the channel ended. */
export function answerForStop(channelId: string, physicalResourceId: string, outcome: StopOutcome): CustomResourceAnswer {
  if (outcome.result === 'timed-out') {
    return {
      Status: 'FAILED',
      PhysicalResourceId: physicalResourceId,
      Reason: `MediaLive channel ${channelId} did not stop in time (last state ${outcome.state ?? 'unknown'}): stop it, wait for IDLE, then delete the stack again`,
    };
  }
  return { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId };
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
