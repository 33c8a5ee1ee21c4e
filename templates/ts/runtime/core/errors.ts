/**
 * The one error type of the runtime. A publish that fails rejects with it; everything that goes wrong
 * away from a caller (a subscriber that throws, a message from Redis that is not an event of the
 * catalogue, a lost connection) is handed to the bus's `onError` as one. `code` says which.
 */
import type { ValidationIssue } from "../../wire.js";

export type BusErrorCode =
  /** publish(): unknown event name or version, or the payload failed its schema. */
  | "publish-invalid"
  /** publish(): the transport could not accept the envelope (connection down past its bounds, …). */
  | "publish-failed"
  /** The bus or transport was closed. */
  | "closed"
  /** subscribe()/stream(): unknown event name, or a subscription the transport cannot make. */
  | "subscribe-invalid"
  /** The transport could not confirm a subscription (Redis refused SUBSCRIBE, …). */
  | "subscribe-failed"
  /** A subscriber threw or its promise rejected; other subscribers and the publisher were unaffected. */
  | "subscriber-failed"
  /** An arriving message could not be decoded (not JSON, or the serializer refused it); dropped. */
  | "message-undecodable"
  /** An arriving envelope carries a wire type this catalogue does not know; dropped. */
  | "message-unknown-type"
  /** An arriving envelope or its payload failed validation; dropped. */
  | "message-invalid"
  /** An arriving envelope came on a channel other than its event's and topic's; dropped. */
  | "message-wrong-channel"
  /**
   * A consumer with `version: "latest"` (a subscription, a stream, a live client, the coalescer) was
   * not given an event: a step from its version to the latest declares no migration. Other consumers
   * receive it as it came.
   */
  | "upgrade-unavailable"
  /** A transport connection was lost (it reconnects by itself) or misbehaved. */
  | "connection-lost"
  /** Worker transport: the worker threw (an `error` event), exited, or stopped answering; on exit the transport ends. */
  | "worker-failed"
  /**
   * SSE client: an `id:` from the server, or the saved `lastEventId`, breaks the id grammar (it could
   * not be sent back as `Last-Event-ID`); the client forgets its position and resumes without one.
   */
  | "resume-id-invalid"
  /** stream(): the consumer fell behind a full buffer under the `error` overflow policy. */
  | "stream-lagged"
  /** Redis Streams: events after a subscriber's position were trimmed away before it read them (resync needed); for a subscriber without `onGap`. */
  | "stream-gap"
  /** The SSE snapshot store could not write or read (Redis unreachable, a script refused). */
  | "snapshot-failed"
  /** A stream operator reached a bound its source went past (toArray's `max`). */
  | "operator-overflow";

export interface BusErrorDetails {
  /** The underlying error, when there is one. */
  readonly cause?: unknown;
  /** The channel concerned (without any transport prefix). */
  readonly channel?: string;
  /** Validation failures, for `publish-invalid` and `message-invalid`; the missing step, for `upgrade-unavailable`. */
  readonly issues?: readonly ValidationIssue[];
  /** The envelope concerned: the one a failing subscriber received, or what arrived. */
  readonly envelope?: unknown;
}

export class BusError extends Error {
  override readonly name = "BusError";
  readonly code: BusErrorCode;
  readonly channel: string | undefined;
  readonly issues: readonly ValidationIssue[] | undefined;
  readonly envelope: unknown;

  constructor(code: BusErrorCode, message: string, details: BusErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.channel = details.channel;
    this.issues = details.issues;
    this.envelope = details.envelope;
  }
}

/** The message of any thrown value, for error texts. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Validation issues as one line: `/payload/status: expected string; …`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`).join("; ");
}
