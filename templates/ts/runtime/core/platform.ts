/**
 * What the runtime takes from its host — random ids, timers, a later macrotask, an abort signal, the console — typed
 * structurally, so the SDK compiles without DOM or Node type definitions and runs in Node 20+, Deno,
 * Bun and browsers alike. No `node:` import anywhere in the bus.
 */
import type { BusErrorCode } from "./errors.js";
import { positiveInteger, runtimeDefaults } from "./policies.js";

/** The part of an `AbortSignal` (DOM or Node) a stream listens to. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

interface CryptoLike {
  randomUUID?(): string;
  getRandomValues?(array: Uint8Array): Uint8Array;
}

/** One end of a `MessageChannel` (DOM, Deno, Node). */
interface MessagePortLike {
  onmessage: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

interface Host {
  crypto?: CryptoLike;
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
  queueMicrotask(callback: () => void): void;
  setImmediate?(callback: () => void): unknown;
  MessageChannel?: new () => { readonly port1: MessagePortLike; readonly port2: MessagePortLike };
  console?: { error(...data: unknown[]): void };
}

const host = globalThis as unknown as Host;

/**
 * A random UUID (v4) for envelope ids. `crypto.randomUUID` where the host has it (Node 20+, secure
 * browser contexts); `crypto.getRandomValues` otherwise (plain-HTTP pages lack `randomUUID`).
 */
export function randomId(): string {
  const crypto = host.crypto;
  if (crypto?.randomUUID !== undefined) return crypto.randomUUID();
  if (crypto?.getRandomValues === undefined) throw new Error("eventc runtime: the host has no crypto.getRandomValues for envelope ids");
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Envelope ids for one bus: unique, in UUID form, and cheap. The first 24 characters come from one
 * random UUID drawn when the source is created (and again if the counter ever runs out), the last 12
 * are a 48-bit counter in hex — so ids never repeat within a bus, and two buses share a prefix only
 * if two random UUIDs share their first 74 random bits. Drawing a random UUID per event would cost
 * more than everything else the bus does to publish it.
 */
export function createIdSource(): () => string {
  const hexByte = (hexBytes ??= Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0")));
  let prefix = "";
  /** Ids handed out under the current 40-bit block (the low 8 bits of the counter). */
  let low = 256;
  let block = -1;
  let blockPrefix = "";
  return () => {
    if (low === 256) {
      low = 0;
      block += 1;
      if (block === 0 || block > 0xff_ffff_ffff) {
        prefix = randomId().slice(0, 24);
        block = 0;
      }
      blockPrefix = prefix + block.toString(16).padStart(10, "0");
    }
    const id = blockPrefix + (hexByte[low] as string);
    low += 1;
    return id;
  };
}

/** "00" … "ff", made by the first id source (no work at import time). */
let hexBytes: readonly string[] | undefined;

/** Calls answered from one clock reading, at most, within one turn of the event loop. */
const CLOCK_READS_EVERY = 64;

/**
 * The current time as RFC 3339 in UTC (`YYYY-MM-DDThh:mm:ss.sssZ`), formatted once per millisecond:
 * envelopes published within one millisecond share the string. Reading the host's clock costs more
 * than the rest of a publish, so within one synchronous run of code the clock is read once per
 * `CLOCK_READS_EVERY` calls; the next turn (after the pending microtasks) reads it afresh.
 */
export function createClock(): () => string {
  let formattedAt = Number.NaN;
  let formatted = "";
  /** Calls left before the clock is read again; 0 also after a turn ended. */
  let left = 0;
  let expiring = false;
  const expire = (): void => {
    left = 0;
    expiring = false;
  };
  return () => {
    if (left > 0) {
      left -= 1;
      return formatted;
    }
    const now = Date.now();
    if (now !== formattedAt) {
      formattedAt = now;
      formatted = new Date(now).toISOString();
    }
    left = CLOCK_READS_EVERY - 1;
    if (!expiring) {
      expiring = true;
      host.queueMicrotask(expire);
    }
    return formatted;
  };
}

/**
 * An already resolved promise that a transport returns from `publish` when it accepted the message
 * synchronously (the in-process transport: queued). The bus recognises it and resolves the publish
 * with the envelope at once, instead of waiting for a reaction to it.
 */
export const acceptedNow: Promise<void> = Promise.resolve();

/** Starts a one-shot timer; returns its cancel function. */
export function startTimer(milliseconds: number, callback: () => void): () => void {
  const handle = host.setTimeout(callback, milliseconds);
  return () => host.clearTimeout(handle);
}

/** A peer's message field, read only when it is the object's own (never one from its prototype). */
export function ownField(value: object, name: string): unknown {
  return Object.hasOwn(value, name) ? (value as { readonly [key: string]: unknown })[name] : undefined;
}

/** Starts a one-shot timer that does not keep a Node process alive by itself (a heartbeat); returns its cancel function. */
export function startBackgroundTimer(milliseconds: number, callback: () => void): () => void {
  const handle = host.setTimeout(callback, milliseconds);
  unrefTimer(handle);
  return () => host.clearTimeout(handle);
}

/**
 * Runs `callback` on a later macrotask: after every pending microtask, with the host's timers and
 * I/O free to run first — how a loop of work yields to the event loop. `setImmediate` where the host
 * has it (Node, Bun, Deno 2.4+); else a `MessageChannel` (browsers), closed again whenever nothing
 * waits on it, so it never keeps a process alive; else `setTimeout(0)`. Callbacks run in order.
 */
export function runLater(callback: () => void): void {
  if (host.setImmediate !== undefined) {
    host.setImmediate(callback);
    return;
  }
  if (host.MessageChannel === undefined) {
    host.setTimeout(callback, 0);
    return;
  }
  laterJobs.push(callback);
  if (laterChannel === undefined) {
    laterChannel = new host.MessageChannel();
    laterChannel.port1.onmessage = runLaterJob;
  }
  laterChannel.port2.postMessage(null);
}

/** Callbacks waiting for their message on the channel, in order, and the channel while any wait. */
const laterJobs: (() => void)[] = [];
let laterChannel: { readonly port1: MessagePortLike; readonly port2: MessagePortLike } | undefined;

function runLaterJob(): void {
  const job = laterJobs.shift();
  if (laterJobs.length === 0 && laterChannel !== undefined) {
    laterChannel.port1.close();
    laterChannel.port2.close();
    laterChannel = undefined;
  }
  job?.();
}

/**
 * Whether a failure of each code is expected in operation — caused by a peer, a network or a server,
 * written as one line without a stack — or a bug in the program, written as the error with its
 * stack. A record over every code, so a new code must take a side.
 */
const OPERATIONAL: Readonly<Record<BusErrorCode, boolean>> = {
  "publish-invalid": false,
  "publish-failed": true,
  closed: true,
  "subscribe-invalid": false,
  "subscribe-failed": true,
  "subscriber-failed": false,
  "message-undecodable": true,
  "message-unknown-type": true,
  "message-invalid": true,
  "message-wrong-channel": true,
  // An older producer's event without a way up: a fact of the catalogue and its peers, not a bug here.
  "upgrade-unavailable": true,
  "connection-lost": true,
  "worker-failed": true,
  "resume-id-invalid": true,
  "stream-lagged": true,
  "stream-gap": true,
  "snapshot-failed": true,
  "operator-overflow": false,
};

/** Kinds counted under their code alone once `kinds` are remembered; past these too, one kind for everything. */
const OVERFLOW_KINDS = 32;

export interface ErrorLogOptions {
  /** Milliseconds between the lines written for one kind of failure. Default `runtimeDefaults.errorLogInterval` (5000). */
  readonly interval?: number;
  /** Kinds (code and channel) kept apart. Default `runtimeDefaults.errorLogKinds` (256). */
  readonly kinds?: number;
  /** Where lines go. Default: the host's `console.error`. */
  readonly write?: (...data: unknown[]) => void;
}

/** One kind of failure seen within its interval: what the summary line will say. */
interface SeenKind {
  readonly label: string;
  /** When the current interval of this kind ends. */
  until: number;
  /** Failures of this kind not written in the current interval. */
  unwritten: number;
  last: string;
  timer: boolean;
}

/**
 * An `onError` that writes to the console without flooding it. Each kind of failure — a `BusError`
 * code and channel; another error's name — is written when it first occurs; further failures of
 * that kind within `interval` are counted and written as one summary line when it ends (with the
 * count and the last message), and so on each interval while they go on. A kind quiet for a whole
 * interval is forgotten. Expected operational failures (a lost connection, a failed publish, a
 * dropped message: see OPERATIONAL) are one line — code, channel, message — with no stack; any
 * other failure (a throwing subscriber: a bug) is written as the error itself, stack and cause.
 * At most `kinds` kinds are kept apart (plus one per code past it), so memory and lines stay bounded.
 */
export function createErrorLog(options: ErrorLogOptions = {}): (error: Error) => void {
  const interval = positiveInteger("errorLogInterval", options.interval, runtimeDefaults.errorLogInterval);
  const maxKinds = positiveInteger("errorLogKinds", options.kinds, runtimeDefaults.errorLogKinds);
  const write = options.write ?? ((...data: unknown[]) => host.console?.error(...data));
  const seen = new Map<string, SeenKind>();
  const seconds = `${interval / 1000} s`;
  let sweptUntil = 0;

  const summarize = (key: string, kind: SeenKind): void => {
    kind.timer = false;
    if (kind.unwritten === 0) {
      seen.delete(key);
      return;
    }
    write(`eventc: ${kind.label}: ${kind.unwritten} more in the last ${seconds}, the last: ${kind.last}`);
    kind.unwritten = 0;
    kind.until = Date.now() + interval;
  };

  return (error: Error): void => {
    const { code, channel } = error as { code?: unknown; channel?: unknown };
    const known = typeof code === "string";
    const name = known ? code : error.name;
    // A peer chooses channels and much of what messages quote: both are clipped and kept on one line.
    const on = typeof channel === "string" ? ` on channel ${JSON.stringify(clip(channel, MAX_CHANNEL_SHOWN))}` : "";
    const message = oneLine(clip(typeof error.message === "string" ? error.message : String(error), MAX_MESSAGE_SHOWN));
    const now = Date.now();
    let key = `${name}\u0000${on}`;
    let label = `${name}${on}`;
    let kind = seen.get(key);
    if (kind === undefined && seen.size >= maxKinds && now >= sweptUntil) {
      // Full: forget the kinds quiet for a whole interval (at most once an interval).
      sweptUntil = now + interval;
      for (const [other, entry] of seen) if (!entry.timer && now >= entry.until) seen.delete(other);
    }
    if (kind === undefined && seen.size >= maxKinds) {
      // Past the bound: counted by code (name) alone, then all together.
      key = seen.size < maxKinds + OVERFLOW_KINDS || seen.has(`*${name}`) ? `*${name}` : "*";
      label = key === "*" ? "failures of other kinds" : `${name} (other channels)`;
      kind = seen.get(key);
    }
    if (kind !== undefined && !kind.timer && now >= kind.until) {
      seen.delete(key); // quiet for a whole interval: written in full again
      kind = undefined;
    }
    if (kind !== undefined) {
      kind.unwritten += 1;
      kind.last = message;
      if (!kind.timer) {
        kind.timer = true;
        const counted = kind;
        const countedKey = key;
        unrefTimer(host.setTimeout(() => summarize(countedKey, counted), Math.max(0, kind.until - now)));
      }
      return;
    }
    seen.set(key, { label, until: now + interval, unwritten: 0, last: message, timer: false });
    if (known && Object.hasOwn(OPERATIONAL, code) && OPERATIONAL[code as BusErrorCode]) write(`eventc: ${name}${on}: ${message}`);
    else write(error);
  };
}

/** Characters of a channel name and of a message the log writes and remembers, at most. */
const MAX_CHANNEL_SHOWN = 200;
const MAX_MESSAGE_SHOWN = 2000;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A message as one line (a server's reply or a validation message may hold line breaks). */
function oneLine(text: string): string {
  return text.includes("\n") || text.includes("\r") ? text.replace(/\s*[\r\n]+\s*/g, " ") : text;
}

/** Lets the process end while only this timer is left (Node, Bun: the handle has `unref`). */
function unrefTimer(handle: unknown): void {
  if (typeof handle === "object" && handle !== null) (handle as { unref?: () => void }).unref?.();
}

let defaultLog: ((error: Error) => void) | undefined;

/**
 * The default `onError` of the bus, the SSE server and client: the host's console, so a failure is
 * never silent, and never a flood — repeated failures of one kind are written once per
 * `runtimeDefaults.errorLogInterval` (see `createErrorLog`).
 */
export function logError(error: Error): void {
  (defaultLog ??= createErrorLog())(error);
}
