/**
 * The consumer of redis-streams-processes.test.ts, run as its own Node process:
 *
 *   redis-streams-peer.ts <client> <url> <prefix> <count> <topics> <from>
 *
 * Subscribes to message.part.delta on topics t0…t<topics-1> over the Redis Streams transport (its
 * reader a connection the transport duplicates and owns), each from the position in the JSON object
 * <from> (by topic; absent: only new events). Prints "ready", then one line per event —
 * `event <topic> <seq> <position>`, written synchronously, so a line printed is a line the parent has
 * even after a SIGKILL — and, once it has the last event of every topic (seq count−topics…count−1),
 * closes its bus and prints `done <errors JSON>`. It ends by returning, never process.exit, so the
 * process only exits if close() left no connection, timer or listener behind.
 */
import { createRedisStreamTransport, type RedisCommandConnection } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createBus } from "./example-runtime.js";
import { connect, type ClientName } from "./redis-kit.js";

const [client, url, prefix, countText, topicsText, fromText] = process.argv.slice(2);
const count = Number(countText);
const topics = Number(topicsText);
const from = JSON.parse(String(fromText)) as Record<string, string>;
const errors: string[] = [];
const connection = (await connect(client as ClientName, String(url))) as RedisCommandConnection;
const bus = createBus({
  transport: createRedisStreamTransport({ client: connection, prefix: String(prefix) }),
  onError: (error) => void errors.push(`${error.code}: ${error.message}`),
});

let waiting = topics;
let finish: () => void = () => {};
const finished = new Promise<void>((resolve) => (finish = resolve));
const subscriptions = [];
for (let t = 0; t < topics; t += 1) {
  const topic = `t${t}`;
  const position = from[topic];
  subscriptions.push(
    bus.subscribe(
      "message.part.delta",
      (envelope, { position: at }) => {
        const seq = Number(envelope.event.payload.delta);
        process.stdout.write(`event ${topic} ${seq} ${at}\n`);
        if (seq >= count - topics && (waiting -= 1) === 0) finish();
      },
      { topic, ...(position === undefined ? {} : { from: position }), onGap: (gap) => void errors.push(`gap: ${JSON.stringify(gap)}`) },
    ),
  );
}
await Promise.all(subscriptions.map((subscription) => subscription.ready));
process.stdout.write("ready\n");
await finished;
await bus.close();
process.stdout.write(`done ${JSON.stringify(errors)}\n`);
