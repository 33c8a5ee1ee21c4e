// Starts a TypeScript worker script (workerData.script) under jiti, as the tests' worker threads.
import { workerData } from "node:worker_threads";
import { createJiti } from "jiti";

await createJiti(import.meta.url).import(workerData.script);
