/**
 * Random event catalogues as Zod source text, for the catalogue-level differential fuzzer: each
 * module is a catalogue of its own (a few events, one or two versions each), written for Zod 4 or
 * for Zod 3 (`zod/v3`), with the constructs both Zods publish — bounded and formatted strings,
 * integers and numbers with bounds, literals and enums of hostile text, objects (tolerant and
 * strict) with members named after what every JavaScript object inherits, arrays, tuples, records
 * (string, enum and partial enum keys), plain and discriminated unions, optional and nullable
 * fields, values of any JSON type, and (Zod 4) named and recursive types; some events have a
 * second version made from the first by random edits, with the migration between them (move, drop,
 * set, default, map, wrap, widen, each; undone by a downgrade where it can be). Deterministic in the
 * seed.
 */

/** mulberry32: a small seeded generator, enough to pick shapes. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text a schema author may write anywhere: quotes, backslashes, comment ends, line separators, emoji. */
const HOSTILE_TEXT = ['a"b', "back\\slash", "*/", "line\u2028sep", "tab\there", "🙂", "é", "constructor", "toString", "__proto__", "", " ", "$ref", "a:b", "x.y"];
/** Member names: ordinary ones, and those every JavaScript object has through its prototype. */
const MEMBER_NAMES = ["id", "name", "value", "count", "kind", "sessionID", "constructor", "toString", "valueOf", "hasOwnProperty", "data", "type", "a b", "ümlaut", "with\"quote", "UPPER", "snake_case", "x-y"];
const KEY_NAMES = ["cpu", "mem", "toString", "constructor", "valueOf", "k1", "k 2"];

const FORMATS_V4 = ["z.uuid()", "z.email()", "z.iso.datetime()", "z.iso.date()", "z.iso.time()", "z.ipv4()", "z.url()", "z.guid()"];
const FORMATS_V3 = ["z.string().uuid()", "z.string().email()", "z.string().datetime()", "z.string().datetime({ offset: true })", "z.string().date()", "z.string().time()", "z.string().ip()", "z.string().ip({ version: \"v4\" })", "z.string().url()"];

export type ZodMajor = 3 | 4;

class ModuleWriter {
  private readonly named: string[] = [];
  private namedCount = 0;

  constructor(
    private readonly random: () => number,
    private readonly major: ZodMajor,
    private readonly prefix: string,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private chance(probability: number): boolean {
    return this.random() < probability;
  }

  private int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  private distinct(pool: readonly string[], count: number): string[] {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(count, pool.length)) chosen.add(this.pick(pool));
    return [...chosen];
  }

  /** Declarations the module needs before its events (named types). */
  declarations(): string[] {
    return this.named;
  }

  string(): string {
    const roll = this.random();
    if (roll < 0.3) return this.pick(this.major === 4 ? FORMATS_V4 : FORMATS_V3);
    // A pattern or lengths, not both: the sample strings a pattern is drawn from have no set length.
    if (this.chance(0.15)) return `z.string().regex(/${this.pick(["^[a-z]+$", "^\\d+(?:\\.\\d+)*$", "^[A-Z][a-z]*$", "^\\S+$"])}/)`;
    let text = "z.string()";
    if (this.chance(0.3)) text += `.min(${this.int(0, 3)})`;
    if (this.chance(0.3)) text += `.max(${this.int(3, 12)})`;
    return text;
  }

  number(): string {
    const integer = this.chance(0.5);
    let text = integer ? (this.major === 4 && this.chance(0.5) ? "z.int()" : "z.number().int()") : "z.number()";
    if (this.chance(0.3)) text += `.min(${this.pick([-5, 0, 1, -1e6])})`;
    if (this.chance(0.3)) text += `.max(${this.pick([5, 100, 1e6])})`;
    if (!integer && this.chance(0.15)) text += `.multipleOf(${this.pick([0.5, 0.25, 2])})`;
    if (integer && this.chance(0.1)) text += ".positive()";
    return text;
  }

  literal(): string {
    const value = this.pick<unknown>([...HOSTILE_TEXT, 0, 1, -2.5, true, false, 1e21]);
    return `z.literal(${JSON.stringify(value)})`;
  }

  enumeration(pool: readonly string[] = HOSTILE_TEXT): string {
    return `z.enum(${JSON.stringify(this.distinct(pool.filter((value) => value !== ""), this.int(1, 4)))})`;
  }

  object(depth: number, extra: Record<string, string> = {}): string {
    return this.objectOf(this.members(depth, extra), this.chance(0.15));
  }

  /** The members of a random object: `extra` first, then one to four named from MEMBER_NAMES. */
  members(depth: number, extra: Record<string, string> = {}): [string, string][] {
    const names = this.distinct(MEMBER_NAMES.filter((name) => !(name in extra)), this.int(1, 4));
    return [...Object.entries(extra), ...names.map((name) => [name, this.field(depth + 1)] as [string, string])];
  }

  objectOf(members: readonly (readonly [string, string])[], strict: boolean): string {
    const body = members.map(([name, schema]) => `${JSON.stringify(name)}: ${schema}`).join(", ");
    if (this.major === 4) return strict ? `z.strictObject({ ${body} })` : `z.object({ ${body} })`;
    return `z.object({ ${body} })${strict ? ".strict()" : ""}`;
  }

  /**
   * An event of two versions and the migration between them: version 1 random, version 2 made
   * from it by random edits, each with the step that follows it (paths as arrays: member names may
   * hold dots or quotes), and a downgrade where every edit can be undone.
   */
  migratingVersions(): { versions: string; migrations: string } {
    const v1 = this.members(0, { score: "z.number()" });
    const strict = this.chance(0.15);
    const v2 = v1.map(([name, schema]) => [name, schema] as [string, string]);
    const upgrade: string[] = [];
    const downgrade: string[] = [];
    let undoable = true;
    const at = (name: string): string => JSON.stringify([name]);
    const add = (name: string, before: string, after: string): void => {
      v1.push([name, before]);
      v2.push([name, after]);
    };
    const edits = this.distinct(["rename", "drop", "set", "default", "map", "wrap", "widen", "each"], this.int(1, 4));
    for (const edit of edits) {
      switch (edit) {
        case "rename": {
          const movable = v2.filter(([name]) => name !== "score");
          const used = new Set(v2.map(([name]) => name));
          const free = MEMBER_NAMES.filter((name) => !used.has(name));
          if (movable.length === 0 || free.length === 0) break;
          const member = this.pick(movable);
          const to = this.pick(free);
          upgrade.push(`{ move: ${at(member[0])}, to: ${at(to)} }`);
          downgrade.unshift(`{ move: ${at(to)}, to: ${at(member[0])} }`);
          member[0] = to;
          break;
        }
        case "drop": {
          const droppable = v2.filter(([name, schema]) => name !== "score" && schema.endsWith(".optional()"));
          if (droppable.length === 0) break;
          const member = this.pick(droppable);
          v2.splice(v2.indexOf(member), 1);
          upgrade.push(`{ drop: ${at(member[0])} }`);
          break;
        }
        case "set":
          v2.push(["m_set", 'z.literal("v2")']);
          upgrade.push(`{ set: ${at("m_set")}, value: "v2" }`);
          downgrade.unshift(`{ drop: ${at("m_set")} }`);
          break;
        case "default":
          add("m_flag", "z.boolean().optional()", "z.boolean()");
          upgrade.push(`{ default: ${at("m_flag")}, value: false }`);
          break;
        case "map":
          add("m_mode", 'z.enum(["a", "b"])', 'z.enum(["a", "c"])');
          upgrade.push(`{ map: ${at("m_mode")}, values: { b: "c" } }`);
          downgrade.unshift(`{ map: ${at("m_mode")}, values: [["c", "b"]] }`);
          break;
        case "wrap": {
          const tags = this.distinct(HOSTILE_TEXT.filter((tag) => tag !== ""), this.int(1, 3));
          add("m_state", `z.enum(${JSON.stringify(tags)})`, `z.discriminatedUnion("kind", [${tags.map((tag) => this.objectOf([["kind", `z.literal(${JSON.stringify(tag)})`]], false)).join(", ")}])`);
          upgrade.push(`{ wrap: ${at("m_state")}, key: "kind" }`);
          downgrade.unshift(`{ unwrap: ${at("m_state")}, key: "kind" }`);
          break;
        }
        case "widen":
          add("m_count", "z.number().int()", "z.number()");
          upgrade.push(`{ widen: ${at("m_count")}, to: "number" }`);
          undoable = false;
          break;
        case "each":
          add("m_lines", `z.array(${this.objectOf([["q", "z.number().int()"]], false)})`, `z.array(${this.objectOf([["quantity", "z.number().int()"]], false)})`);
          upgrade.push(`{ each: ${at("m_lines")}, steps: [{ move: ["q"], to: ["quantity"] }] }`);
          downgrade.unshift(`{ each: ${at("m_lines")}, steps: [{ move: ["quantity"], to: ["q"] }] }`);
          break;
      }
    }
    // A dropped member cannot come back.
    if (upgrade.some((step) => step.startsWith("{ drop:")) || edits.includes("default")) undoable = false;
    const directions = [`upgrade: [${upgrade.join(", ")}]`, ...(undoable && this.chance(0.7) ? [`downgrade: [${downgrade.join(", ")}]`] : [])];
    return { versions: `1: ${this.objectOf(v1, strict)}, 2: ${this.objectOf(v2, strict)}`, migrations: `{ 2: { ${directions.join(", ")} } }` };
  }

  field(depth: number): string {
    let schema = this.value(depth);
    const roll = this.random();
    if (roll < 0.15) schema += ".optional()";
    else if (roll < 0.25) schema += ".nullable()";
    else if (roll < 0.3) schema += ".nullable().optional()";
    return schema;
  }

  value(depth: number): string {
    const leaves = ["string", "string", "number", "number", "boolean", "literal", "enum", "unknown", "null"];
    const composites = ["object", "array", "tuple", "record", "enumRecord", "union", "discriminated", "named"];
    const kind = depth >= 3 || this.chance(0.55) ? this.pick(leaves) : this.pick(composites);
    switch (kind) {
      case "string":
        return this.string();
      case "number":
        return this.number();
      case "boolean":
        return "z.boolean()";
      case "null":
        return "z.null()";
      case "literal":
        return this.literal();
      case "enum":
        return this.enumeration();
      case "unknown":
        return this.major === 4 && this.chance(0.3) ? "z.json()" : "z.unknown()";
      case "object":
        return this.object(depth);
      case "array": {
        let text = `z.array(${this.value(depth + 1)})`;
        if (this.chance(0.3)) text += `.min(${this.int(0, 2)})`;
        if (this.chance(0.3)) text += `.max(${this.int(2, 5)})`;
        return text;
      }
      case "tuple":
        return `z.tuple([${Array.from({ length: this.int(1, 3) }, () => this.value(depth + 1)).join(", ")}])`;
      case "record":
        return this.major === 4 ? `z.record(z.string(), ${this.value(depth + 1)})` : `z.record(${this.value(depth + 1)})`;
      case "enumRecord": {
        const keys = this.enumeration(KEY_NAMES);
        if (this.major === 4 && this.chance(0.5)) return `z.partialRecord(${keys}, ${this.value(depth + 1)})`;
        return `z.record(${keys}, ${this.value(depth + 1)})`;
      }
      case "union":
        return `z.union([${this.distinct(["z.string()", "z.number()", "z.boolean()", "z.null()", this.object(depth + 1), `z.array(${this.value(depth + 2)})`], this.int(2, 3)).join(", ")}])`;
      case "discriminated": {
        const tags = this.distinct(HOSTILE_TEXT.filter((tag) => tag !== ""), this.int(2, 3));
        return `z.discriminatedUnion("kind", [${tags.map((tag) => this.object(depth + 1, { kind: `z.literal(${JSON.stringify(tag)})` })).join(", ")}])`;
      }
      case "named":
        return this.namedType(depth);
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  }

  /** A named type (Zod 4 `.meta({ id })`), sometimes recursive through an optional array of itself. */
  private namedType(depth: number): string {
    if (this.major === 3) return this.object(depth);
    const name = `${this.prefix}Named${this.namedCount++}`;
    if (this.chance(0.4)) {
      this.named.push(
        `const ${name}: z.ZodType<{ label: string; children?: unknown[] }> = z.lazy(() => z.object({ label: z.string(), children: z.array(${name}).optional() })).meta({ id: ${JSON.stringify(name)} });`,
      );
    } else {
      this.named.push(`const ${name} = ${this.object(depth + 1)}.meta({ id: ${JSON.stringify(name)} });`);
    }
    return name;
  }
}

/** One module: a catalogue of a few events, its events named `<prefix>.<n>`. */
export function randomModule(seed: number, prefix: string, major: ZodMajor): string {
  const random = randomSource(seed);
  const writer = new ModuleWriter(random, major, prefix.replace(/[^a-z0-9]/gi, ""));
  const events: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let index = 0; index < count; index++) {
    const name = `${prefix}.event-${index}`;
    // Coalesced by a number: the key's text must be the same on every side.
    if (random() < 0.4) {
      const migrating = writer.migratingVersions();
      events.push(`export const event${index} = defineEvent(${JSON.stringify(name)}, { coalesce: ["score"], versions: { ${migrating.versions} }, migrations: ${migrating.migrations} });`);
      continue;
    }
    const versions = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, at) => `${at + 1}: ${writer.object(0, { score: "z.number()" })}`);
    events.push(`export const event${index} = defineEvent(${JSON.stringify(name)}, { coalesce: ["score"], versions: { ${versions.join(", ")} } });`);
  }
  const zod = major === 4 ? 'import { z } from "zod";' : 'import { z } from "zod/v3";';
  return [zod, 'import { defineEvent } from "eventc";', "", ...writer.declarations(), "", ...events, ""].join("\n");
}
