/** How the hub's event delivery is doing: part of `hub.stats()`. */
export interface DeliveryStats {
  /** Events handed to subscribers (each counted once, however many subscribers). */
  readonly delivered: number;
  /** Events dropped because the queue was full. */
  readonly dropped: number;
  /** Errors thrown by subscriber callbacks (caught). */
  readonly subscriberErrors: number;
  /** Events waiting now. */
  readonly queued: number;
  readonly subscribers: number;
}
