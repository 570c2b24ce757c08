import { Annotations, Token } from 'aws-cdk-lib';
import * as mediatailor from 'aws-cdk-lib/aws-mediatailor';
import { Construct } from 'constructs';
import { PrefetchTrafficShaping, RecurringPrefetchScheduleProps } from './prefetch-schedules';

/** The RECURRING schedules of one declaration, one per stream id. */
export function recurringSchedules(
  scope: Construct, id: string, props: RecurringPrefetchScheduleProps, playbackConfigurationName: string, streamIds: string[],
): mediatailor.CfnPrefetchSchedule[] {
  validate(scope, props, streamIds.length);
  const base = props.delayAfterAvailEnd?.toSeconds() ?? 0;
  const stagger = props.groupStagger?.toSeconds() ?? 0;
  const shaping = (props.trafficShaping ?? PrefetchTrafficShaping.none())._retrievalProperties(streamIds.length);
  const matching = props.availMatchingCriteria?.map((dynamicVariable) => ({ dynamicVariable, operator: 'EQUALS' }));
  return streamIds.map((streamId, index) => new mediatailor.CfnPrefetchSchedule(scope, `${id}Group${streamId}`, {
    name: `${props.name}-${streamId}`,
    playbackConfigurationName,
    scheduleType: 'RECURRING',
    streamId,
    recurringPrefetchConfiguration: {
      startTime: props.startTime,
      endTime: props.endTime,
      recurringConsumption: { availMatchingCriteria: matching, retrievedAdExpirationSeconds: props.retrievedAdExpiration?.toSeconds() },
      recurringRetrieval: { delayAfterAvailEndSeconds: base + index * stagger, dynamicVariables: props.dynamicVariables, ...shaping },
    },
  }));
}

function validate(scope: Construct, props: RecurringPrefetchScheduleProps, groups: number): void {
  if (!/^[a-zA-Z0-9_-]+$/.test(props.name) || props.name.length + 1 + String(groups).length > 64) {
    throw new Error(`prefetchSchedules name must be letters, digits, '-' or '_' leaving room for '-<stream id>' in 64, got '${props.name}'`);
  }
  const time = (propName: string, value: string | undefined): number | undefined => {
    if (value === undefined || Token.isUnresolved(value)) return undefined;
    const parsed = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(parsed)) throw new Error(`prefetchSchedules '${props.name}' ${propName} must be an ISO-8601 time, got '${value}'`);
    return parsed;
  };
  const start = time('startTime', props.startTime);
  const end = time('endTime', props.endTime);
  if (start !== undefined && end !== undefined && end <= start) {
    throw new Error(`prefetchSchedules '${props.name}' endTime must be after startTime, got ${props.startTime} .. ${props.endTime}`);
  }
  if (end !== undefined && end <= Date.now()) {
    Annotations.of(scope).addWarningV2('@cdk-ott-constructs/prefetch-session-initializer:scheduleEnded',
      `prefetch schedule '${props.name}' ended at ${props.endTime}: MediaTailor will refuse or expire it; declare a later endTime`);
  }
  const criteria = props.availMatchingCriteria ?? [];
  if (criteria.length > 5) throw new Error(`prefetchSchedules '${props.name}' availMatchingCriteria holds at most 5 dynamic variables, got ${criteria.length}`);
  const variables = Object.keys(props.dynamicVariables ?? {}).length;
  if (variables > 100) throw new Error(`prefetchSchedules '${props.name}' dynamicVariables holds at most 100, got ${variables}`);
  for (const [propName, duration] of [['delayAfterAvailEnd', props.delayAfterAvailEnd], ['groupStagger', props.groupStagger], ['retrievedAdExpiration', props.retrievedAdExpiration]] as const) {
    if (duration && !Number.isInteger(duration.toSeconds())) throw new Error(`prefetchSchedules '${props.name}' ${propName} must be whole seconds, got ${duration.toHumanString()}`);
  }
}
