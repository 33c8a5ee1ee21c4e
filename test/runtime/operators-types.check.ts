/**
 * Type-level contract of the operators over the bus bound to the example catalogue: compiled (never
 * run) by operators-types.test.ts. Each `@ts-expect-error` line must fail to compile, every other line must pass.
 */
import type { EventEnvelope, SessionStatusEvent, SessionStatusV2Event, MessagePartDeltaEvent, FileEditedEvent, Event } from "../../generated/ts/index.js";
import { batch, chain, dedupe, filter, flat, groupBy, isEvent, join, map, pipe, reduce, take, toArray, window, type Group, type OperatorStream } from "../../templates/ts/runtime/operators/index.js";
import { createBus } from "./example-runtime.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_value?: T): void {}

export async function contract(): Promise<void> {
  const bus = createBus();

  // The element type follows the selection through filter, map and batch.
  const statuses = pipe(
    bus.stream("session.status"),
    filter((envelope) => envelope.topic !== undefined),
    map((envelope) => envelope.event),
    batch({ size: 10 }),
  );
  assertType<Equal<typeof statuses, OperatorStream<SessionStatusEvent[]>>>();

  // A type guard narrows; isEvent narrows by wire type or by name, typed by the stream's events.
  const v2 = pipe(bus.stream("session.status"), filter(isEvent("session.status.v2")));
  assertType<Equal<typeof v2, OperatorStream<EventEnvelope<SessionStatusV2Event>>>>();
  const byName = pipe(bus.stream("*"), filter(isEvent("message.part.delta", "file.edited")));
  assertType<Equal<typeof byName, OperatorStream<EventEnvelope<MessagePartDeltaEvent | FileEditedEvent>>>>();
  const guarded = pipe(
    bus.stream("session.status"),
    filter((envelope): envelope is EventEnvelope<SessionStatusV2Event> => envelope.event.type === "session.status.v2"),
    map((envelope) => envelope.event.payload.status.type),
  );
  assertType<Equal<typeof guarded, OperatorStream<SessionStatusV2Event["payload"]["status"]["type"]>>>();

  // Terminal operators: a promise; the signal is pipe's last argument.
  const count = await pipe(bus.stream("*"), take(10), reduce((total: number) => total + 1, 0), { signal: new AbortController().signal });
  assertType<Equal<typeof count, number>>();
  const all = await pipe(bus.stream("file.edited"), take(3), toArray({ max: 3 }));
  assertType<Equal<typeof all, EventEnvelope<FileEditedEvent>[]>>();

  // flat undoes batch; window and groupBy emit arrays and groups; dedupe keeps the type.
  const flattened = pipe(bus.stream("*"), batch(), flat());
  assertType<Equal<typeof flattened, OperatorStream<EventEnvelope<Event>>>>();
  const windows = pipe(bus.stream("*"), dedupe(), window({ size: 5 }));
  assertType<Equal<typeof windows, OperatorStream<EventEnvelope<Event>[]>>>();
  const groups = pipe(bus.stream("message.part.delta"), groupBy((envelope) => envelope.event.payload.partID, { maxGroups: 10 }));
  assertType<Equal<typeof groups, OperatorStream<Group<string, EventEnvelope<MessagePartDeltaEvent>>>>>();
  const keyed = pipe(bus.stream("*"), dedupe({ key: (envelope) => envelope.event.type }));
  assertType<Equal<typeof keyed, OperatorStream<EventEnvelope<Event>>>>();

  // chain appends other sources (their element types joined); join pairs two streams.
  const chained = pipe(bus.stream("file.edited"), chain([1, 2], () => bus.stream("session.status")));
  assertType<Equal<typeof chained, OperatorStream<EventEnvelope<FileEditedEvent> | number | EventEnvelope<SessionStatusEvent>>>>();
  const pairs = pipe(
    bus.stream("session.status"),
    join(bus.stream("message.part.delta"), { key: (status) => status.topic, otherKey: (delta) => delta.event.payload.sessionID }),
  );
  assertType<Equal<typeof pairs, OperatorStream<[EventEnvelope<SessionStatusEvent>, EventEnvelope<MessagePartDeltaEvent>]>>>();

  // Five operators, the element type carried through.
  const five = pipe(bus.stream("message.part.delta"), filter(isEvent("message.part.delta.v1")), map((envelope) => envelope.event.payload.delta), take(100), batch({ size: 10 }), flat());
  assertType<Equal<typeof five, OperatorStream<string>>>();

  // @ts-expect-error the predicate's parameter is an envelope, not a number
  pipe(bus.stream("file.edited"), filter((value: number) => value > 1));
  // @ts-expect-error dedupe without a key needs values with an id
  pipe(bus.stream("file.edited"), map((envelope) => envelope.event.payload.file), dedupe());
  // @ts-expect-error flat takes iterables
  pipe(bus.stream("file.edited"), flat());
  // @ts-expect-error a payload field the event does not have
  pipe(bus.stream("file.edited"), map((envelope) => envelope.event.payload.nope));
}
