module MCollective
  # The standard mco command line: `-c -v -h`, the common options and host filters, around whatever options the
  # application adds in the block; returns the options hash SimpleRPC clients are made from.
  class Optionparser
    attr_reader :parser

    def initialize(defaults = {}, include_sections = nil, exclude_sections = nil)
      @parser = ::OptionParser.new
      @include = [include_sections].flatten.compact
      @exclude = [exclude_sections].flatten.compact
      @options = Util.default_options.merge(defaults)
    end

    def parse
      yield(@parser, @options) if block_given?
      add_required_options
      add_common_options unless @exclude.include?("common")
      @include.each do |section|
        send("add_#{section}_options") if !@exclude.include?(section) && respond_to?("add_#{section}_options")
      end
      @parser.environment("MCOLLECTIVE_EXTRA_OPTS")
      @parser.parse!
      @options[:collective] ||= Config.instance.main_collective
      @options
    end

    def add_filter_options
      @parser.separator ""
      @parser.separator "Host Filters"
      @parser.on("-W", "--with FILTER", "Combined classes and facts filter") do |f|
        f.split(" ").each do |word|
          fact = Util.parse_fact_string(word)
          fact ? @options[:filter]["fact"] << fact : @options[:filter]["cf_class"] << word
        end
      end
      @parser.on("-S", "--select FILTER", "Compound filter combining facts and classes") do |f|
        @options[:filter]["compound"] << Matcher.create_compound_callstack(f)
      end
      @parser.on("-F", "--wf", "--with-fact fact=val", "Match hosts with a certain fact") do |f|
        fact = Util.parse_fact_string(f)
        raise("Could not parse fact #{f} it does not appear to be in a valid format") unless fact

        @options[:filter]["fact"] << fact
      end
      @parser.on("-C", "--wc", "--with-class CLASS", "Match hosts with a certain config management class") do |f|
        @options[:filter]["cf_class"] << f
      end
      @parser.on("-A", "--wa", "--with-agent AGENT", "Match hosts with a certain agent") { |a| @options[:filter]["agent"] << a }
      @parser.on("-I", "--wi", "--with-identity IDENT", "Match hosts with a certain configured identity") do |a|
        @options[:filter]["identity"] << a
      end
    end

    def add_required_options
      @parser.on("-c", "--config FILE", "Load configuration from file rather than default") { |f| @options[:config] = f }
      @parser.on("-v", "--verbose", "Be verbose") { |v| @options[:verbose] = v }
      @parser.on("-h", "--help", "Display this screen") do
        puts(@parser)
        exit!(1)
      end
    end

    def add_common_options
      @parser.separator ""
      @parser.separator "Common Options"
      @parser.on("-T", "--target COLLECTIVE", "Target messages to a specific sub collective") { |f| @options[:collective] = f }
      @parser.on("--dt", "--discovery-timeout SECONDS", Integer, "Timeout for doing discovery") { |t| @options[:disctimeout] = t }
      @parser.on("-t", "--timeout SECONDS", Integer, "Timeout for calling remote agents") { |t| @options[:timeout] = t }
      @parser.on("-q", "--quiet", "Do not be verbose") { @options[:verbose] = false }
      @parser.on("--ttl TTL", "Set the message validity period") { |v| @options[:ttl] = v.to_i }
      @parser.on("--reply-to TARGET", "Set a custom target for replies") { |v| @options[:reply_to] = v }
      @parser.on("--dm", "--disc-method METHOD", "Which discovery method to use") do |v|
        raise("Discovery method is already set by a competing option") if @options[:discovery_method] && @options[:discovery_method] != v

        @options[:discovery_method] = v
      end
      @parser.on("--do", "--disc-option OPTION", "Options to pass to the discovery method") do |a|
        @options[:discovery_options] << a
      end
      @parser.on("--nodes FILE", "List of nodes to address") do |v|
        raise("Cannot mix --disc-method, --disc-option and --nodes") if @options[:discovery_method] || !@options[:discovery_options].empty?
        raise("Cannot read the discovery file #{v}") unless File.readable?(v)

        @options[:discovery_method] = "flatfile"
        @options[:discovery_options] << v
      end
      @parser.on("--publish_timeout TIMEOUT", Integer, "Timeout for publishing requests to remote agents.") do |pt|
        @options[:publish_timeout] = pt
      end
      @parser.on("--threaded", "Start publishing requests and receiving responses in threaded mode.") { @options[:threaded] = true }
      @parser.on("--sort", "Sort the output of an RPC call before processing.") { @options[:sort] = true }
      @parser.on("--connection-timeout TIMEOUT", Integer, "Set the timeout for establishing a connection to the middleware") do |v|
        @options[:connection_timeout] = v
      end
    end
  end
end
