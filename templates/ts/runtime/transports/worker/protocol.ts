/**
 * The messages the two ends of a Worker transport exchange (transports/worker.ts), as structured
 * clones — objects, not JSON text. Every message carries `eventc: "bus/1"`: the protocol and its
 * version; a message without it is not ours (an application may share the worker's channel) and is
 * passed over; one with another version ends the link (`hello` says which the peer speaks).
 *
 * - `hello` `{ window }`: sent by each end as it starts; `window` is the credit it grants (publishes
 *   it takes before it grants more). An end is `ready` once it has the peer's hello.
 * - `sub` / `unsub` `{ key }`: the end's interest in a channel filter (`=<channel>` or `*<prefix>`:
 *   `filterKey`); the peer sends only publishes that match one. `subbed` `{ key }` confirms a `sub`:
 *   every publish the peer makes after it is sent.
 * - `pubs` `{ channels: [channel, …], envelopes: [envelope, …] }`: publishes, in order, the n-th
 *   envelope on the n-th channel — those made in one turn go in one message (one structured clone,
 *   one message event); each costs one credit.
 * - `credit` `{ n }`: the receiver delivered `n` more publishes; the sender may send that many more.
 * - `ping` / `pong`: liveness (the host pings; a thread that never answers is taken for gone).
 * - `close`: the end closed its transport; the peer ends its own (pending publishes rejected).
 *
 * Everything the peer sends is hostile: a message is read by own properties, every field checked
 * against its type and grammar and bounded; anything else is refused with a reason.
 */

import { ownField } from "../../core/platform.js";

export const WORKER_PROTOCOL = "bus/1";

export type WorkerMessage =
  | { readonly t: "hello"; readonly window: number }
  | { readonly t: "sub" | "unsub" | "subbed"; readonly key: string }
  | { readonly t: "pubs"; readonly channels: readonly string[]; readonly envelopes: readonly unknown[] }
  | { readonly t: "credit"; readonly n: number }
  | { readonly t: "ping" | "pong" | "close" };

/** The longest channel filter key and channel a peer may send (the wire's channels are far shorter). */
const MAX_CHANNEL = 4096;
/** The most credit one hello or grant may carry. */
export const MAX_WINDOW: number = 1 << 20;


function isChannelText(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_CHANNEL;
}

function isFilterKey(value: unknown): value is string {
  return isChannelText(value) && value.length >= 1 && (value[0] === "=" || value[0] === "*");
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_WINDOW;
}

/**
 * Reads one message from the peer: the message, `undefined` for one that is not of this protocol (no
 * `eventc` member: the application's own), or a reason for one that breaks it (`otherProtocol`: it
 * names another version of the protocol, which ends the link).
 */
export function readWorkerMessage(value: unknown): WorkerMessage | undefined | { readonly refused: string; readonly otherProtocol?: true } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const protocol = ownField(value, "eventc");
  if (protocol === undefined) return undefined;
  if (protocol !== WORKER_PROTOCOL) return { refused: `the peer speaks protocol ${JSON.stringify(String(protocol).slice(0, 40))}, this end ${WORKER_PROTOCOL}`, otherProtocol: true };
  const t = ownField(value, "t");
  switch (t) {
    case "hello": {
      const window = ownField(value, "window");
      return isCount(window) ? { t, window } : { refused: `a hello grants a window of 1 to ${MAX_WINDOW} publishes` };
    }
    case "sub":
    case "unsub":
    case "subbed": {
      const key = ownField(value, "key");
      return isFilterKey(key) ? { t, key } : { refused: `a ${t} names a channel filter ("=<channel>" or "*<prefix>", at most ${MAX_CHANNEL} characters)` };
    }
    case "pubs": {
      const channels = ownField(value, "channels");
      const envelopes = ownField(value, "envelopes");
      if (!Array.isArray(channels) || !Array.isArray(envelopes) || channels.length === 0 || channels.length > MAX_WINDOW || channels.length !== envelopes.length) {
        return { refused: `a pubs carries 1 to ${MAX_WINDOW} channels and as many envelopes` };
      }
      for (const channel of channels as unknown[]) if (!isChannelText(channel) || channel === "") return { refused: `a channel of a pubs has 1 to ${MAX_CHANNEL} characters` };
      return { t, channels: channels as string[], envelopes: envelopes as unknown[] };
    }
    case "credit": {
      const n = ownField(value, "n");
      return isCount(n) ? { t, n } : { refused: `a credit grants 1 to ${MAX_WINDOW} publishes` };
    }
    case "ping":
    case "pong":
    case "close":
      return { t };
    default:
      return { refused: "an unknown message kind" };
  }
}

/** A message of this protocol, as the other end reads it. */
export function workerMessage(message: WorkerMessage): { readonly eventc: string } & WorkerMessage {
  return { eventc: WORKER_PROTOCOL, ...message };
}
