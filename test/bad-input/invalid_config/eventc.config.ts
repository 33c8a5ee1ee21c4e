import { defineConfig } from "eventc";

export default defineConfig({ schemas: "schemas", targets: ["typescript", "cobol"] });
