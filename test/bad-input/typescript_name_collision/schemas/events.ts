import { z } from "zod";
import { defineEvent } from "eventc";

const Info = z.object({ id: z.string() }).meta({ id: "UserCreatedV1" });
export const userCreated = defineEvent("user.created", { versions: { 1: z.object({ info: Info }) } });
