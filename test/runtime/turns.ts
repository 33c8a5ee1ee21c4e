// Waiting for the in-process transport in tests (Node only: the bus-types check compiles example-runtime.ts without Node types).

/**
 * Resolves once what the in-process transport has queued is delivered: its first run of a turn
 * goes on a microtask and the next at the turn's end (`setImmediate`), which a bare `setTimeout(0)`
 * may beat on a loaded machine; this waits for that macrotask, then for a timer.
 */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
}
