/**
 * One client over several live channels: `connectChannels([webSocketChannel(…), sseChannel(…),
 * pollingChannel(…)], options)` reads one feed over the first channel that works, falls back down
 * the list when a channel fails repeatedly or a proxy buffers it, and keeps probing the better
 * channels to move back. Every channel carries the same stream (the SSE handler's ids, replay, gaps
 * and snapshot), and every switch resumes after the last id received: no event is lost or repeated.
 *
 * The options and the connection are those of `connectSse` (sse/client.ts), plus:
 * - `fallbackAfter` (default 2): failed attempts in a row on one channel before the next is tried.
 *   A channel refused for good (a 403, a 404 where the hub is not deployed) is left at once and not
 *   tried again; a channel connected without its `live` frame within `liveTimeoutMs` (a proxy holding
 *   the stream back) is a failed attempt.
 * - `probeInitialMs` (default 5000): the first delay before a probe of the better channels, doubling
 *   (half fixed, half random) up to `backoffMaxMs` while probes find none. A probe ends the current
 *   attempt and tries the better channels, best first; a probe of a channel that hangs holds events
 *   back for at most `liveTimeoutMs`, then the client resumes where it was.
 * - `pollIntervalMs` (default 250): the least time from one poll to the next.
 *
 * Statuses, besides those of `connectSse`: `fallback` (`from`, `to`, `error`) when it moves down (or,
 * when the channels below are refused, up) the list; `degraded` with `reason: "polling"` when it moves
 * to polling; `restored` (`from`, `to`) when a probe's channel went live; `connected` says which
 * channel (`channel`), once for a run of polls. `stats().channel` is the channel in use.
 *
 * This file imports eventsource-parser (through client/live-client.ts) and no Node built-in; import
 * it from `./client/channels.js`, and the channels from `./sse/client.js` and `./ws/client.js`.
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import { ChannelLadder } from "./ladder.js";
import { connectLive, type LiveChannel, type LiveClientOptions, type LiveConnection, type UpgradingParser } from "./live-client.js";
import type { EnvelopeParser } from "./receiver.js";

export type { LiveChannel, LiveChannelKind, LiveClientStats, LiveConnection, LiveStatus } from "./live-client.js";

/** `B`: what the client reads of the catalogue (with `version: "latest"`, an `UpgradingParser<E>`). */
export interface ChannelsOptions<E extends AnyEvent, B = EnvelopeParser<E>> extends LiveClientOptions<E, B> {
  /** Failed attempts in a row on one channel before the next is tried. Default `sseDefaults.fallbackAfter` (2). */
  readonly fallbackAfter?: number;
  /** The first delay before the better channels are probed, ms (doubling, half fixed and half random, up to `backoffMaxMs`). Default `sseDefaults.probeInitial` (5000). */
  readonly probeInitialMs?: number;
}

/** Reads one feed over `channels`, best first, every envelope upgraded to the latest version of its event (`version: "latest"`). */
export function connectChannels<L extends AnyEvent>(channels: readonly LiveChannel[], options: ChannelsOptions<L, UpgradingParser<L>> & { readonly version: "latest" }): LiveConnection<EventEnvelope<L>>;
/** Reads one feed over `channels`, best first (see the top of this file). */
export function connectChannels<E extends AnyEvent>(channels: readonly LiveChannel[], options: ChannelsOptions<E> & { readonly version?: undefined }): LiveConnection<EventEnvelope<E>>;
export function connectChannels<E extends AnyEvent>(channels: readonly LiveChannel[], options: ChannelsOptions<E, UpgradingParser<E>>): LiveConnection<EventEnvelope<E>> {
  const settings = {
    fallbackAfter: positiveInteger("fallbackAfter", options.fallbackAfter, sseDefaults.fallbackAfter),
    probeInitialMs: positiveInteger("probeInitialMs", options.probeInitialMs, sseDefaults.probeInitial),
    backoffMaxMs: positiveInteger("backoffMaxMs", options.backoffMaxMs, sseDefaults.backoffMax),
  };
  return connectLive(channels, options, (interrupt, status) => new ChannelLadder(channels, settings, interrupt, status));
}
