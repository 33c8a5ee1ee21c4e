import { defineConfig } from "eventc";

export default defineConfig({ targets: ["rust", "jsonschema", "rust"] });
