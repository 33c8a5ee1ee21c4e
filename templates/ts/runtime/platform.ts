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

/** Starts a one-shot timer; returns its cancel function. */
export function startTimer(milliseconds: number, callback: () => void): () => void {
  const handle = host.setTimeout(callback, milliseconds);
  return () => host.clearTimeout(handle);
}

/** The default `onError`: the host's console, so a failure is never silent. */
export function logError(error: Error): void {
  host.console?.error(error);
}
