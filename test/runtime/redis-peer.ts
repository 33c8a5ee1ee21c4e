/**
 * One side of the two-process exchange in redis-processes.test.ts, run as its own Node process:
 *
 *   redis-peer.ts consumer <client> <url> <count>          prints "ready", then one JSON line
 *   redis-peer.ts producer <client> <url> <count> <topics> prints one JSON line
 *
 * Either ends by closing its bus and returning — never process.exit — so the process only exits if
 * close() left no connection, timer or listener behind.
 */
import { createRedisTransport } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { createBus } from "./example-runtime.js";
import { connectPair, type ClientName } from "./redis-kit.js";

const [role, client, url, countText, topicsText] = process.argv.slice(2);
const count = Number(countText);
const errors: string[] = [];
const connections = await connectPair(client as ClientName, String(url));
const bus = createBus({ transport: createRedisTransport(connections), onError: (error) => void errors.push(`${error.code}: ${error.message}`) });

if (role === "consumer") {
  const lastByTopic = new Map<string, number>();
  let received = 0;
  let outOfOrder = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const off = bus.subscribe("message.part.delta", (envelope) => {
    const topic = envelope.topic ?? "";
    const seq = Number(envelope.event.payload.delta);
    if (seq <= (lastByTopic.get(topic) ?? -1)) outOfOrder += 1;
    lastByTopic.set(topic, seq);
    received += 1;
    if (received === count) finish();
  });
  await off.ready;
  process.stdout.write("ready\n");
  await finished;
  await bus.close();
  process.stdout.write(`${JSON.stringify({ received, outOfOrder, topics: lastByTopic.size, errors })}\n`);
} else {
  const topics = Number(topicsText);
  const sends: Promise<unknown>[] = [];
  for (let n = 0; n < count; n += 1) {
    sends.push(bus.publish("message.part.delta", { sessionID: `t${n % topics}`, messageID: "m", partID: "p", field: "text", delta: String(n) }));
  }
  const results = await Promise.allSettled(sends);
  await bus.close();
  const failed = results.filter((result) => result.status === "rejected").length;
  process.stdout.write(`${JSON.stringify({ sent: count - failed, failed, errors })}\n`);
}
