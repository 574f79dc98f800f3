/* A JSON Schema (2020-12) checker for the keywords dashboard/maps/static/payload.schema.json
 * uses: type, const, enum, properties, required, additionalProperties, items, prefixItems,
 * minItems, maxItems, minimum, maximum, pattern, oneOf, $ref (to #/$defs/...). Any other
 * keyword in the schema is an error, so the schema cannot drift past what is checked here. */
"use strict";

const KNOWN = new Set(["$schema", "$id", "$defs", "$ref", "title", "description", "type", "const",
  "enum", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems",
  "maxItems", "minimum", "maximum", "pattern", "oneOf"]);

function typeOf(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function hasType(v, t) {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

/** Errors (strings with a JSON path) of `value` against `schema`; [] when valid. */
function validate(value, schema, root = schema, path = "$") {
  const errors = [];
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) errors.push(`${path}: schema keyword ${key} not supported`);
  }
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o && o[k], root);
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    errors.push(...validate(value, target, root, path));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      return errors.concat(`${path}: ${typeOf(value)} is not ${types.join(" or ")}`);
    }
  }
  if ("const" in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  }
  if (schema.oneOf) {
    const results = schema.oneOf.map((s) => validate(value, s, root, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing !== 1) errors.push(`${path}: matches ${passing} of oneOf, not 1`);
    if (passing === 0) {  /* say why the branches of the value's own type failed */
      const typeOnly = (r) => r.length === 1 && r[0].startsWith(`${path}: ${typeOf(value)} is not`);
      results.filter((r) => !typeOnly(r)).forEach((r) => errors.push(...r));
    }
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === "string" && schema.pattern && !new RegExp(schema.pattern, "u").test(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    const prefix = schema.prefixItems || [];
    value.forEach((item, i) => {
      const s = i < prefix.length ? prefix[i] : schema.items;
      if (s) errors.push(...validate(item, s, root, `${path}[${i}]`));
    });
  }
  if (typeOf(value) === "object") {
    for (const key of schema.required || []) {
      if (!(key in value)) errors.push(`${path}: missing ${key}`);
    }
    const props = schema.properties || {};
    for (const [key, item] of Object.entries(value)) {
      if (props[key]) {
        errors.push(...validate(item, props[key], root, `${path}.${key}`));
      } else if (schema.additionalProperties === false) {
        errors.push(`${path}: unexpected ${key}`);
      } else if (typeof schema.additionalProperties === "object") {
        errors.push(...validate(item, schema.additionalProperties, root, `${path}.${key}`));
      }
    }
  }
  return errors;
}

module.exports = { validate };
