module MCollective
  module DDL
    # Data plugin DDLs: one `dataquery` whose only input is `query`.
    class DataDDL < Base
      def dataquery(input, &block)
        raise("Data queries need a :description") unless input.include?(:description)
        raise("Data queries can only have one definition") if @entities[:data]

        @entities[:data] = { description: input[:description], input: {}, output: {} }
        @current_entity = :data
        instance_eval(&block) if block
        @current_entity = nil
      end

      def input(argument, properties)
        raise("The only valid input name for a data query is 'query'") if argument != :query

        super
      end

      def dataquery_interface
        @entities[:data] || {}
      end
    end
  end
end
