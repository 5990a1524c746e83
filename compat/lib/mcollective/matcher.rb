module MCollective
  # The `-S` compound filter language: parses an expression into the legacy call stack
  # ([{"statement" => "a=1"}, {"and" => "and"}, {"fstatement" => {...}}, ...]) and evaluates statements on this node.
  module Matcher
    OPERAND = %w[statement fstatement].freeze

    class << self
      def create_compound_callstack(input)
        tokens = scan(input)
        raise("Malformed token(s) found while parsing -S input #{input}") if tokens.any? { |t| t.first == "bad" }

        check_grammar(input, tokens)
        tokens.map { |kind, text| kind == "fstatement" ? { kind => create_function_hash(text) } : { kind => text } }
      end

      # {"name", "params", "value", "operator", "r_compare"} of `name(params)[.value]<op>compare`.
      def create_function_hash(text)
        m = text.match(/\A(\w+)\((.*)\)(?:\.(\w+))?\s*(>=|<=|!=|=|<|>)\s*(.*)\z/m)
        raise("Malformed token(s) found while parsing -S input #{text}") unless m

        params = m[2].strip.sub(/\A["']/, "").sub(/["']\z/, "")
        operator = m[4] == "=" ? "==" : m[4]
        compare = m[5]
        if compare =~ %r{\A/(.*)/\z}m
          operator = m[4] == "!=" ? "!=~" : "=~"
          compare = Regexp.new(Regexp.last_match(1))
        end
        { "name" => m[1], "params" => params.empty? ? nil : params, "value" => m[3], "operator" => operator,
          "r_compare" => compare }
      end

      # A fact comparison or class check (`a=1`, `role=/db/`, `apache`) against this node.
      def eval_compound_statement(expression)
        text = expression.values.first
        fact, op, value = text.match(/\A(.+?)\s*(>=|<=|!=|=|<|>)\s*(.+)\z/)&.captures
        return Util.has_cf_class?(text) unless fact

        op = "==" if op == "="
        op = "=~" if op == "==" && value.match?(%r{\A/.*/\z})
        Util.has_fact?(fact, value, op)
      end

      # Runs a data plugin call of the stack and compares its value.
      def eval_compound_fstatement(function_hash)
        left = execute_function(function_hash)
        return false if left.nil?

        right = function_hash["r_compare"]
        case function_hash["operator"]
        when "=~" then !!(left.to_s =~ right)
        when "!=~" then !(left.to_s =~ right)
        else compare(left, function_hash["operator"], right)
        end
      end

      def execute_function(function_hash)
        plugin = Data[Data.pluginname(function_hash["name"])]
        result = plugin.lookup(function_hash["params"])
        value = function_hash["value"]
        value ? result.send(value) : result
      rescue NoMethodError
        Log.debug("cannot execute discovery function '#{function_hash['name']}'")
        nil
      end

      private

      def compare(left, operator, right)
        right = right.to_s
        right = left.is_a?(Integer) ? Integer(right) : Float(right) if left.is_a?(Numeric)
        if [true, false].include?(left)
          return false unless %w[true false].include?(right)

          right = right == "true"
          return %w[== !=].include?(operator) && (operator == "==") == (left == right)
        end
        return false if left.is_a?(String) && %w[< > <= >=].include?(operator)

        left.send(operator, right)
      end

      # [kind, text] pairs; each step consumes at least one character.
      def scan(input)
        tokens = []
        i = 0
        while i < input.length
          token, i = token_at(input, i)
          tokens << token if token
        end
        tokens
      end

      def token_at(input, i)
        c = input[i]
        return [nil, i + 1] if c =~ /\s/
        return [[c, c], i + 1] if "()".include?(c)
        return [%w[not not], i + 1] if c == "!"

        word = keyword_at(input, i)
        word ? [[word, word], i + word.length] : statement_at(input, i)
      end

      def keyword_at(input, i)
        %w[and or not].find { |w| input[i, w.length] == w && [" ", "("].include?(input[i + w.length]) }
      end

      # A statement runs to whitespace or `)`, quoted values and a function's brackets included.
      def statement_at(input, start)
        i = start
        quote = nil
        depth = 0
        while i < input.length
          c = input[i]
          if quote
            i += 1 if c == "\\"
            quote = nil if c == quote
          elsif %w[" '].include?(c) then quote = c
          elsif c == "(" then depth += 1
          elsif c == ")"
            break if depth.zero?

            depth -= 1
          elsif c =~ /\s/ && depth.zero?
            break unless input[start...i] =~ /(>=|<=|!=|=|<|>)\z/ || input[i..] =~ /\A\s*(>=|<=|!=|=|<|>)/
          end
          i += 1
        end
        text = input[start...i]
        return [["bad", text], i] if quote || depth.positive?

        text = text.gsub(/\s*(>=|<=|!=|=|<|>)\s*/, '\1')
        return [["fstatement", text], i] if text =~ /\A\w+\(/

        value = text[/(?:>=|<=|!=|=|<|>)(.*)\z/m, 1]
        text = text.sub(/(["'])(.*)\1\z/m, '\2') if value
        return [["bad", text], i] if text.count("/").odd? || text.start_with?("=")

        [["statement", text], i]
      end

      def check_grammar(input, tokens)
        depth = 0
        kinds = tokens.map(&:first)
        kinds.each_with_index do |kind, k|
          prev = k.zero? ? nil : kinds[k - 1]
          nxt = kinds[k + 1]
          starts = ->(t) { OPERAND.include?(t) || %w[not (].include?(t) }
          ok = case kind
               when "and", "or" then (OPERAND.include?(prev) || prev == ")") && starts.call(nxt)
               when "not" then starts.call(nxt)
               when "(" then (depth += 1) && starts.call(nxt)
               when ")" then (depth -= 1) >= 0 && (nxt.nil? || %w[and or )].include?(nxt))
               else nxt.nil? || %w[and or )].include?(nxt)
               end
          raise("Missing parenthesis found while parsing -S input #{input}") if depth.negative?
          raise("Parse errors found while parsing -S input #{input}") unless ok
        end
        raise("Missing parenthesis found while parsing -S input #{input}") unless depth.zero?
        raise("Parse errors found while parsing -S input #{input}") if tokens.empty?
      end
    end
  end
end
