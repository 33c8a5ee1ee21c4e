export default { schemas: "schemas", output: "out" };
