import { z } from "zod";
import { defineEvent } from "eventc";

export const Author = z.object({ id: z.string(), name: z.string() }).meta({ id: "Author", description: "Who wrote it." });

export const Comment = z
  .object({
    id: z.string(),
    author: Author,
    body: z.string(),
    get replies() {
      return z.array(Comment);
    },
  })
  .meta({ id: "Comment", description: "A comment and its replies." });

export interface Folder {
  name: string;
  children: Folder[];
}
export const Folder: z.ZodType<Folder> = z.lazy(() => z.object({ name: z.string(), children: z.array(Folder) })).meta({ id: "Folder" });

export const commentPosted = defineEvent("comment.posted", {
  versions: { 1: z.object({ comment: Comment, author: Author }) },
});

export const folderMoved = defineEvent("folder.moved", {
  versions: { 1: z.object({ folder: Folder, by: Author }) },
});
