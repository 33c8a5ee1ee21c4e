/**
 * Finds the line of an event's `defineEvent("<name>", …)` call in its schema module, for GitHub
 * annotations. Parsed with ts-morph (syntax only, no type-checking); loaded only when needed.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type LineFinder = (file: string, event: string) => number | undefined;

export async function createLineFinder(cwd: string): Promise<LineFinder> {
  const { Project, SyntaxKind } = await import("ts-morph");
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const lines = new Map<string, Map<string, number>>();
  return (file, event) => {
    let byEvent = lines.get(file);
    if (byEvent === undefined) {
      byEvent = new Map();
      lines.set(file, byEvent);
      const full = path.resolve(cwd, file);
      if (existsSync(full)) {
        const source = project.createSourceFile(`/${lines.size}-${path.basename(file)}`, readFileSync(full, "utf8"), { overwrite: true });
        for (const call of source.getDescendantsOfKind(SyntaxKind.CallExpression)) {
          const callee = call.getExpression().getText();
          if (callee !== "defineEvent" && !callee.endsWith(".defineEvent")) continue;
          const first = call.getArguments()[0];
          if (first && (first.isKind(SyntaxKind.StringLiteral) || first.isKind(SyntaxKind.NoSubstitutionTemplateLiteral))) {
            if (!byEvent.has(first.getLiteralText())) byEvent.set(first.getLiteralText(), call.getStartLineNumber());
          }
        }
      }
    }
    return byEvent.get(event);
  };
}
