import { defineConfig } from "eventc";

export default defineConfig({ rust: { crate: { name: "acme-events", version: "2.3" } } });
