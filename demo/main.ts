/** `npm run demo`: the demo server with its simulated activity feed, until Ctrl-C. `PORT`, `REDIS_URL` and `SESSIONS` choose. */
import { createDemoServer } from "./server.js";

const redisUrl = process.env.REDIS_URL || undefined;
const port = Number(process.env.PORT ?? 5173);
try {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`demo: PORT must be a port number (was ${JSON.stringify(process.env.PORT)})`);
  const server = await createDemoServer({
    port,
    sessions: Number(process.env.SESSIONS ?? 3),
    ...(redisUrl === undefined ? {} : { redisUrl }),
  });
  server.simulator.start();
  // The URL's host only: a password in REDIS_URL stays out of the terminal.
  const via = redisUrl === undefined ? "in-process bus" : `Redis Streams at ${new URL(redisUrl).host}`;
  console.log(`eventc demo: ${server.url} (${via}; Ctrl-C to stop)`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
