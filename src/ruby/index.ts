/** Ruby's semantics in JavaScript, in one pure module: inspect/to_s, regexes, sprintf, strftime, tokens. DDL, filters, policies, audit and mco output use it. */
export { inspectNumber, inspectRequestData, inspectString, inspectSymbol, rubyInspect, rubyPretty, rubyToS } from "./inspect.js";
export type { InspectOptions } from "./inspect.js";
export { RubyRegexError, rubyRegex, rubyRegexFromText } from "./regex.js";
export type { RubyPattern } from "./regex.js";
export { RubyFloat, rubySprintf } from "./sprintf.js";
export { strftime } from "./time.js";
export { RubySyntaxError, UnsupportedRubyError } from "./errors.js";
export { tokenize as tokenizeRuby } from "./lexer.js";
export type { StringPart, Token } from "./lexer.js";
