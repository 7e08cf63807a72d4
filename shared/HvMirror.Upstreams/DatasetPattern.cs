namespace HvMirror.Upstreams;

/// <summary>Dataset patterns as operators write them: <c>AIA_171</c>, <c>AIA_*</c>, <c>*</c> (no patterns means all).</summary>
public static class DatasetPattern
{
    public static bool MatchesAny(IReadOnlyCollection<string> patterns, string dataset) =>
        patterns.Count == 0 || patterns.Any(p => Matches(p.Trim(), dataset));

    public static bool Matches(string pattern, string dataset)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1) return string.Equals(pattern, dataset, StringComparison.Ordinal);
        if (!dataset.StartsWith(parts[0], StringComparison.Ordinal) || !dataset.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        var position = parts[0].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = dataset.IndexOf(middle, position, StringComparison.Ordinal);
            if (found < 0) return false;
            position = found + middle.Length;
        }
        return position <= dataset.Length - parts[^1].Length;
    }
}
