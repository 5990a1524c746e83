# Core extensions MCollective plugins rely on.
class Array
  # Slices into arrays of chunk_size, the last padded with padded_with; yields each slice when given a block.
  unless method_defined?(:in_groups_of)
    def in_groups_of(chunk_size, padded_with = nil, &block)
      groups = each_slice(chunk_size).map { |g| g.size < chunk_size ? g + [padded_with] * (chunk_size - g.size) : g }
      return groups unless block

      groups.each(&block)
    end
  end
end
