/** What the Ruby lexer throws: text that is not Ruby, and Ruby it does not read. */
export class RubySyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RubySyntaxError";
  }
}

/** Ruby the lexer does not read (backticks, globals, some % literals); Ruby itself might. */
export class UnsupportedRubyError extends RubySyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedRubyError";
  }
}
