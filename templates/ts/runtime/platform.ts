/**
 * What the runtime takes from its host — random ids, timers, an abort signal, the console — typed
 * structurally, so the SDK compiles without DOM or Node type definitions and runs in Node 20+, Deno,
 * Bun and browsers alike. No `node:` import anywhere in the bus.
 */

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

interface Host {
  crypto?: CryptoLike;
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
  queueMicrotask(callback: () => void): void;
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

/** The default `onError`: the host's console, so a failure is never silent. */
export function logError(error: Error): void {
  host.console?.error(error);
}
