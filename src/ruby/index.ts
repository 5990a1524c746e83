/** Ruby's semantics in JavaScript, in one pure module: regexes. DDL, filters, policies, audit and mco output use it. */
export { RubyRegexError, rubyRegex, rubyRegexFromText } from "./regex.js";
