/** The DDL reader's tokens: src/ruby's lexer, with its errors as the DDL module's. */
import { RubySyntaxError, tokenizeRuby, UnsupportedRubyError as RubyUnsupported, type Token } from "../../ruby/index.js";
import { DdlError, UnsupportedRubyError } from "../errors.js";

export type { StringPart, Token } from "../../ruby/index.js";

/** Splits Ruby source into tokens; `file` only names the source in errors. */
export function tokenize(src: string, file: string, firstLine = 1): Token[] {
  try {
    return tokenizeRuby(src, file, firstLine);
  } catch (err) {
    if (err instanceof RubyUnsupported) throw new UnsupportedRubyError(err.message);
    if (err instanceof RubySyntaxError) throw new DdlError(err.message);
    throw err;
  }
}
