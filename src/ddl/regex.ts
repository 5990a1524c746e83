/** DDL validations' Ruby regexes (plain source or `to_s` form), failing as a DdlError. */
import { RubyRegexError, rubyRegexFromText, type RubyPattern } from "../ruby/index.js";
import { DdlError } from "./errors.js";

/** Compiles a validation regex: plain source (`^[a-z]+$`) or Ruby's `to_s` form (`(?-mix:.+)`). */
export function rubyRegex(text: string): RubyPattern {
  try {
    return rubyRegexFromText(text);
  } catch (err) {
    throw err instanceof RubyRegexError ? new DdlError(err.message) : err;
  }
}
