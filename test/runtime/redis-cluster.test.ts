/**
 * Sharded pub/sub (SPUBLISH/SSUBSCRIBE) on a local 3-master Redis Cluster, end to end with each
 * client library's cluster client: events spread over every shard arrive, in order per topic;
 * subscriptions Redis cannot shard are refused up front; close() leaves no shard subscription.
 */
import { Cluster, Redis } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisTransport, type RedisConnection } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { createBus } from "./example-runtime.js";
import { CLIENTS, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisCluster, type RedisCluster } from "./redis-server.js";

let cluster: RedisCluster;
let nodes: Redis[];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  nodes = cluster.nodes.map((node) => new Redis(node.port, node.host));
});

afterAll(async () => {
  for (const node of nodes) node.disconnect();
  await cluster.stop();
});

/** A cluster connection as an application creates it; ioredis needs `shardedSubscribers` to SSUBSCRIBE on the right shard. */
async function clusterConnection(client: ClientName, subscriber: boolean): Promise<RedisConnection> {
  if (client === "ioredis") {
    const connection = new Cluster([...cluster.nodes], { shardedSubscribers: subscriber });
    await new Promise<void>((resolve, reject) => {
      connection.once("ready", () => resolve());
      connection.once("error", reject);
    });
    return connection;
  }
  const connection = createCluster({ rootNodes: cluster.nodes.map((node) => ({ url: `redis://${node.host}:${node.port}` })) });
  connection.on("error", () => {});
  await connection.connect();
  return connection;
}

async function shardedBus(client: ClientName) {
  const [publisher, subscriber] = await Promise.all([clusterConnection(client, false), clusterConnection(client, true)]);
  const errors: BusError[] = [];
  const bus = createBus({ transport: createRedisTransport({ publisher, subscriber, sharded: true }), onError: (error) => void errors.push(error) });
  return { bus, errors };
}

/** Shard-channel subscribers of `channel` on each node. */
async function shardSubscribers(channel: string): Promise<number[]> {
  return Promise.all(nodes.map(async (node) => Number(((await node.call("PUBSUB", "SHARDNUMSUB", channel)) as [string, number])[1])));
}

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

describe.each(CLIENTS)("sharded pub/sub on a 3-master cluster with %s", (client) => {
  test("delivers_events_spread_over_every_shard_in_order_per_topic_and_close_leaves_no_shard_subscription", async () => {
    const producer = await shardedBus(client);
    const consumer = await shardedBus(client);
    const topics = Array.from({ length: 20 }, (_, n) => `session-${n}`);
    const byTopic = new Map<string, string[]>(topics.map((topic) => [topic, []]));
    const files: string[] = [];
    const subscriptions = topics.map((topic) =>
      consumer.bus.subscribe("message.part.delta", (envelope) => void byTopic.get(topic)?.push(envelope.event.payload.delta), { topic }),
    );
    subscriptions.push(consumer.bus.subscribe("file.edited", (envelope) => void files.push(envelope.event.payload.file)));
    await Promise.all(subscriptions.map((subscription) => subscription.ready));

    // The channels live on every shard, each subscribed on its owner only.
    const owners = await Promise.all(topics.map((topic) => shardSubscribers(`message.part.delta:${topic}`)));
    for (const counts of owners) expect([...counts].sort()).toEqual([0, 0, 1]);
    const channelsPerNode = cluster.nodes.map((_, index) => owners.filter((counts) => counts[index] === 1).length);
    expect(channelsPerNode.every((count) => count > 0)).toBe(true);

    const sends = [];
    for (let n = 0; n < 200; n += 1) sends.push(producer.bus.publish("message.part.delta", delta(topics[n % 20] as string, n)));
    sends.push(producer.bus.publish("file.edited", { file: "unscoped.ts" }));
    await Promise.all(sends);
    await waitFor("every event", () => [...byTopic.values()].every((list) => list.length === 10) && files.length === 1);
    topics.forEach((topic, t) => expect(byTopic.get(topic)).toEqual(Array.from({ length: 10 }, (_, k) => String(t + 20 * k))));
    expect(files).toEqual(["unscoped.ts"]);
    expect([...producer.errors, ...consumer.errors]).toEqual([]);

    await Promise.all([producer.bus.close(), consumer.bus.close()]);
    const after = await Promise.all([...topics.map((topic) => `message.part.delta:${topic}`), "file.edited"].map(shardSubscribers));
    expect(after.flat().every((count) => count === 0)).toBe(true);
  });

  test("refuses_subscriptions_sharded_pub_sub_cannot_make_wildcards_and_every_topic_of_an_event", async () => {
    const consumer = await shardedBus(client);
    expect(() => consumer.bus.subscribe("message.*", () => {})).toThrow(/Sharded pub\/sub has no pattern subscriptions/);
    expect(() => consumer.bus.subscribe("*", () => {})).toThrow(/Sharded pub\/sub has no pattern subscriptions/);
    expect(() => consumer.bus.subscribe("message.part.delta", () => {})).toThrow(/subscribe to one event with a topic/);
    await consumer.bus.close();
    expect(await shardSubscribers("message.part.delta")).toEqual([0, 0, 0]);
  });
});
