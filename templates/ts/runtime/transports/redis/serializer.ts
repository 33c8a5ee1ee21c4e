/** How the Redis transports turn envelopes into message text and back. */
import { readJsonText } from "../../../wire.js";
import { describeIssues } from "../../core/errors.js";

/** Turns envelopes into message text and back. `decode` may throw: the message is then reported and dropped. */
export interface Serializer {
  encode(envelope: unknown): string;
  decode(text: string): unknown;
}

/** JSON, read as every reader of the wire reads it: the document rules hold over the whole text (docs/wire-format.md). */
export const jsonSerializer: Serializer = {
  encode: (envelope) => JSON.stringify(envelope),
  decode: (text) => {
    const read = readJsonText(text);
    if (!read.ok) throw new SyntaxError(describeIssues([read.issue]));
    return read.value;
  },
};
