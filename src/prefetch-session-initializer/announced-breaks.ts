import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { announcedBreakDetailType, announcedBreakEventSource } from './contract/announced-break';

/**
 * Ad breaks announced as EventBridge events (`source` {@link AnnouncedBreakEvent.SOURCE}, `detail-type`
 * {@link AnnouncedBreakEvent.DETAIL_TYPE}, `detail` an `AnnouncedBreakDetail`): each becomes one SINGLE prefetch
 * schedule per group, with the groups' retrieval windows one after another; an hourly sweep deletes them once used.
 */
export interface AnnouncedBreaksProps {
  /**
   * The bus the announcements are put on.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * How long before the break the first group starts retrieving ads (whole seconds, 10 s to 1 hour).
   * @default Duration.minutes(5)
   */
  readonly retrievalLead?: Duration;
  /**
   * How long before the break the last group stops retrieving (whole seconds, 0 to 10 minutes).
   * @default Duration.seconds(30)
   */
  readonly retrievalEndsBeforeBreak?: Duration;
  /**
   * Announced breaks whose schedules may be active at the same time. Each takes one schedule per group of
   * MediaTailor's 25 per configuration; an announcement beyond this is refused (logged, `RejectedAnnouncements`).
   * @default 1
   */
  readonly maxOverlappingBreaks?: number;
}

/** The event an announcement is: put it on the bus with these `source` and `detail-type`. */
export class AnnouncedBreakEvent {
  /** EventBridge `source` of an announced break. */
  public static readonly SOURCE: string = announcedBreakEventSource;
  /** EventBridge `detail-type` of an announced break. */
  public static readonly DETAIL_TYPE: string = announcedBreakDetailType;

  private constructor() {}
}
