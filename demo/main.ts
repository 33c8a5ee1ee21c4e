/** `npm run demo`: the demo server with its simulated activity feed, until Ctrl-C. */
import { createDemoServer } from "./server.js";

const server = await createDemoServer({ port: Number(process.env.PORT ?? 5173), ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}) });
server.simulator.start();
console.log(`eventc demo: ${server.url} (${process.env.REDIS_URL ? `Redis at ${process.env.REDIS_URL}` : "in-process bus"}; Ctrl-C to stop)`);
process.once("SIGINT", () => {
  void server.close().then(() => process.exit(0));
});
