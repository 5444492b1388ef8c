export { AlertSeverity, AlertState, isAlertSeverity, isAlertState } from './AlertSeverity';
export type { Alert, AlertInit } from './Alert';
export { createAlert, DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH } from './Alert';
export { alertFingerprint } from './fingerprint';
export { AlertValidationError, AlertLimitError } from './errors';
export type {
  AlertsEvent,
  AlertsEventType,
  AlertFiredEvent,
  AlertResolvedEvent,
  AlertSuppressedEvent,
  AlertNotifiedEvent,
  AlertHandlerErrorEvent,
  AlertRuleErrorEvent,
  AlertDroppedEvent,
} from './events';
export type { Matcher } from './matchers';
export type { CompiledMatcher } from './matchers';
export { alertMatchLabels, compileMatcher, parseMatcher, parseMatchers, formatMatcher } from './matchers';
export type { TimeInterval } from './timeIntervals';
export type { Silence, SilenceInit, SilenceStatus } from './silences';
export type { InhibitRule } from './inhibition';
export type { RouteConfig } from './route';
export { DEFAULT_ROUTE, DEFAULT_RECEIVER } from './route';
export type { AlertNotification, AlertHandler, NotificationHandler, NotificationSink } from './Notification';
export { NOTIFICATION_SINK, markNotificationSink, isNotificationSink } from './Notification';
export type { AlertManagerSnapshot, ActiveAlertSnapshot, SilenceSnapshot } from './snapshot';
export type {
  AlertManager,
  AlertManagerConfig,
  AlertManagerLimits,
  AlertManagerStats,
  AlertContext,
  AlertRule,
  RuleResult,
  RuleOptions,
  SuppressionRule,
  HandlerOptions,
} from './AlertManager';
export { createAlertManager } from './AlertManager';
export type {
  AlertmanagerHandler,
  AlertmanagerHandlerConfig,
  AlertmanagerHandlerStats,
  PostableAlert,
} from './sinks/alertmanagerHandler';
export { createAlertmanagerHandler } from './sinks/alertmanagerHandler';
export type { WebhookHandlerConfig, WebhookPayload } from './sinks/webhookHandler';
export { createWebhookHandler } from './sinks/webhookHandler';
export type { SlackHandlerConfig, SlackPayload } from './sinks/slackHandler';
export { createSlackHandler } from './sinks/slackHandler';
export type { PagerDutyHandlerConfig, PagerDutyEvent } from './sinks/pagerDutyHandler';
export { createPagerDutyHandler, pagerDutyDedupKey } from './sinks/pagerDutyHandler';
export type { TeamsHandlerConfig } from './sinks/teamsHandler';
export { createTeamsHandler } from './sinks/teamsHandler';
export type { QueuedSink, QueuedSinkOptions } from './sinks/queuedSink';
export { createQueuedSink } from './sinks/queuedSink';
export type { DeliveryOptions, DeliveryStats } from './sinks/DeliveryQueue';
export type { Template } from './sinks/template';
export { renderTitle, renderAlert, defaultTitle, defaultAlertLine } from './sinks/template';
export type { FetchLike } from './sinks/http';
export { AlertSinkError } from './sinks/http';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
