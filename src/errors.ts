/**
 * Input and usage errors. Every failure a user can cause is an EventcError: it names what it can
 * of file, line, event, version and field path, and maps to exit code 2. Anything else that
 * escapes is a bug in eventc and is reported with its stack.
 */

export interface ErrorContext {
  /** File the problem is in, relative to the working directory where possible. */
  file?: string;
  line?: number;
  column?: number;
  event?: string;
  version?: number;
  /** Field path inside the payload, e.g. `status.parts[].type`. */
  path?: string;
}

export class EventcError extends Error {
  readonly context: ErrorContext;
  readonly exitCode: number;

  constructor(message: string, context: ErrorContext = {}, exitCode = 2) {
    super(message);
    this.name = "EventcError";
    this.context = context;
    this.exitCode = exitCode;
  }

  /** One line: `file:line:col: event "x" v2, field "a.b": message`. */
  format(): string {
    const { file, line, column, event, version, path } = this.context;
    let where = file ?? "";
    if (file && line !== undefined) where += `:${line}` + (column !== undefined ? `:${column}` : "");
    const subject: string[] = [];
    if (event !== undefined) subject.push(`event "${event}"` + (version !== undefined ? ` v${version}` : ""));
    if (path !== undefined && path !== "") subject.push(`field "${path}"`);
    const head = [where, subject.join(", ")].filter((part) => part !== "").join(": ");
    return head === "" ? this.message : `${head}: ${this.message}`;
  }
}

/** Several input errors found in one pass; reported together so a user fixes them in one go. */
export class EventcErrors extends EventcError {
  readonly errors: EventcError[];

  constructor(errors: EventcError[]) {
    super(errors.map((error) => error.format()).join("\n"));
    this.errors = errors;
  }

  override format(): string {
    return this.message;
  }
}

/** Throws the collected errors, if any: one as itself, several together. */
export function throwIfAny(errors: EventcError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new EventcErrors(errors);
}
