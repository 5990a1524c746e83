/** DDLs: read legacy Ruby-DSL and Choria JSON DDLs, coerce CLI values, validate inputs, aggregate, document. Pure. */
export { DdlError, UnsupportedRubyError } from "./errors.js";
export type { ActionDdl, AggregateSpec, Ddl, Display, InputDdl, Metadata, OutputDdl, PluginType } from "./model.js";
export { parseDdl, pluginTypeOf } from "./parse.js";
export { toJsonDdl, AGENT_SCHEMA } from "./json-ddl.js";
export { rubyPrettyJson } from "./pretty-json.js";
export { coerceCliValue } from "./coerce.js";
export { validateInputs, outputDefaults } from "./validate.js";
export type { PluginValidator, ValidateOptions } from "./validate.js";
export { NAMED_VALIDATORS } from "./validators.js";
export type { Validator } from "./validators.js";
export { rubyRegex } from "./regex.js";
export { summarize, formatAggregates, AGGREGATE_FUNCTIONS, AggregateFailure } from "./aggregates.js";
export type { AggregateFunction, AggregateReply, AggregateResult, FormatOptions } from "./aggregates.js";
export { rubySprintf, RubyFloat } from "../ruby/index.js";
export { renderDoc } from "./doc.js";
export { checkDdl } from "./check.js";
export type { DdlProblem } from "./check.js";
