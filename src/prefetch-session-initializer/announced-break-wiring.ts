import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AnnouncedBreakFunction } from './announced-break-function';
import { AnnouncedBreaksProps } from './announced-breaks';
import {
  announcedBreakDetailType, announcedBreakEnvironment, announcedBreakEventSource, announcedBreakMetrics, announcedBreakTiming,
  announcedScheduleNamePrefix, sweepIntervalMinutes,
} from './contract/announced-break';
import { maxActivePrefetchSchedules } from './contract/stream-groups';
import { BundledHandler } from '../shared/bundled-handler';
import { acknowledgeNagFinding, nagResourceName } from '../shared/nag-finding';

/** How many schedules per group announced breaks hold at once (0 when not enabled), validated. */
export function announcedSchedulesPerGroup(props: AnnouncedBreaksProps | undefined): number {
  if (props === undefined) return 0;
  const overlapping = props.maxOverlappingBreaks ?? 1;
  if (!Number.isInteger(overlapping) || overlapping < 1 || overlapping > maxActivePrefetchSchedules) {
    throw new Error(`announcedBreaks.maxOverlappingBreaks must be an integer from 1 to ${maxActivePrefetchSchedules}, got ${overlapping}`);
  }
  return overlapping;
}

/** What {@link wireAnnouncedBreaks} made. */
export interface AnnouncedBreakWiring {
  readonly handler: BundledHandler;
  readonly rule: events.Rule;
  readonly sweepRule: events.Rule;
}

/** The announced-break function, its least-privilege role, the announcement rule and the sweep rule. */
export function wireAnnouncedBreaks(
  scope: Construct, props: AnnouncedBreaksProps, playbackConfigurationName: string, groupCount: number,
): AnnouncedBreakWiring {
  const seconds = (propName: string, value: Duration | undefined, limits: { default: number; minimum: number; maximum: number }): number => {
    const result = value?.toSeconds() ?? limits.default;
    if (!Number.isInteger(result) || result < limits.minimum || result > limits.maximum) {
      throw new Error(`announcedBreaks.${propName} must be whole seconds from ${limits.minimum} to ${limits.maximum}, got ${value?.toHumanString()}`);
    }
    return result;
  };
  const lead = seconds('retrievalLead', props.retrievalLead, announcedBreakTiming.retrievalLeadSeconds);
  const endsBefore = seconds('retrievalEndsBeforeBreak', props.retrievalEndsBeforeBreak, announcedBreakTiming.retrievalEndsBeforeBreakSeconds);
  if (lead - endsBefore < groupCount) {
    throw new Error(`announcedBreaks.retrievalLead (${lead} s) must exceed retrievalEndsBeforeBreak (${endsBefore} s) by at least one second per group (${groupCount})`);
  }
  const handler = new BundledHandler(scope, 'AnnouncedBreak', {
    functionClass: AnnouncedBreakFunction,
    constructName: 'prefetch-session-initializer',
    metricsNamespace: announcedBreakMetrics.namespace,
    roleDescription: 'PrefetchSessionInitializer announced-break function: writes its own logs, creates prefetch schedules of its configuration, reads and deletes the ones it named',
    defaults: { memorySize: 256, timeout: Duration.minutes(1) },
    environment: {
      [announcedBreakEnvironment.playbackConfigurationName]: playbackConfigurationName,
      [announcedBreakEnvironment.groupCount]: String(groupCount),
      [announcedBreakEnvironment.retrievalLeadSeconds]: String(lead),
      [announcedBreakEnvironment.retrievalEndsBeforeBreakSeconds]: String(endsBefore),
      [announcedBreakEnvironment.maxOverlappingBreaks]: String(announcedSchedulesPerGroup(props)),
    },
  });
  const stack = Stack.of(scope);
  const configurationArn = stack.formatArn({ service: 'mediatailor', resource: 'playbackConfiguration', resourceName: playbackConfigurationName });
  const ownSchedulesArn = stack.formatArn({ service: 'mediatailor', resource: 'prefetchSchedule', resourceName: `${playbackConfigurationName}/${announcedScheduleNamePrefix}*` });
  // the Service Authorization Reference scopes Create and List to the configuration only; Get and Delete also name the schedule
  handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['mediatailor:CreatePrefetchSchedule', 'mediatailor:ListPrefetchSchedules'],
    resources: [configurationArn],
  }));
  handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['mediatailor:GetPrefetchSchedule', 'mediatailor:DeletePrefetchSchedule'],
    resources: [configurationArn, ownSchedulesArn],
  }));
  acknowledgeNagFinding(handler.role, `AwsSolutions-IAM5[Resource::${nagResourceName(scope, ownSchedulesArn)}]`,
    `the function reads and deletes only the prefetch schedules it named (${announcedScheduleNamePrefix}<break>-<stream id>), whose names come from events`);

  const target = new targets.LambdaFunction(handler.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) });
  const rule = new events.Rule(scope, 'AnnouncedBreakRule', {
    description: `PrefetchSessionInitializer: announced ad breaks of ${playbackConfigurationName} become prefetch schedules`,
    eventBus: props.eventBus,
    eventPattern: {
      source: [announcedBreakEventSource],
      detailType: [announcedBreakDetailType],
      detail: { playbackConfigurationName: [playbackConfigurationName] },
    },
    targets: [target],
  });
  const sweepRule = new events.Rule(scope, 'AnnouncedBreakSweep', {
    description: 'PrefetchSessionInitializer: deletes expired announced-break prefetch schedules',
    schedule: events.Schedule.rate(Duration.minutes(sweepIntervalMinutes)),
    targets: [new targets.LambdaFunction(handler.function, { retryAttempts: 0 })],
  });
  return { handler, rule, sweepRule };
}
