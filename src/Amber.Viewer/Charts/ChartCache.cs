using System.Collections.Concurrent;

namespace Amber.Viewer.Charts;

/// <summary>Rendered charts, valid until the archive's next commit (keyed by the last commit sequence).</summary>
public sealed class ChartCache
{
    private readonly ConcurrentDictionary<string, (long Sequence, string Svg)> entries = new(StringComparer.Ordinal);

    public string GetOrAdd(string name, long sequence, Func<string> render)
    {
        if (entries.TryGetValue(name, out var e) && e.Sequence == sequence)
        {
            return e.Svg;
        }

        var svg = render();
        entries[name] = (sequence, svg);
        return svg;
    }
}
