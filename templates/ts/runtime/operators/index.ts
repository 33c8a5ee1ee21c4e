/**
 * The stream operators (docs/operators.md): import them from here, `./runtime/operators/index.js`.
 * The runtime's own index.ts does not re-export them (`map`, `filter`, … would crowd it); each is a
 * module of its own, so a bundle carries only those a program imports.
 */
export { batch, type BatchOptions } from "./batch.js";
export { chain, type ChainElement, type ChainSource } from "./chain.js";
export { dedupe, type DedupeOptions } from "./dedupe.js";
export { filter } from "./filter.js";
export { flat, type Flattenable } from "./flat.js";
export { groupBy, type Group, type GroupByOptions } from "./group-by.js";
export { isEvent, type EnvelopeGuard, type EventOf } from "./is-event.js";
export { join, type JoinOptions } from "./join.js";
export { map } from "./map.js";
export type { Operator, OperatorStream, Terminal } from "./operator.js";
export { pipe, type Last, type PipeOptions, type Stage } from "./pipe.js";
export { reduce } from "./reduce.js";
export { take } from "./take.js";
export { toArray, type ToArrayOptions } from "./to-array.js";
export { window, type WindowOptions } from "./window.js";
