using System.Text;

namespace Amber.Benchmarks;

/// <summary>A Markdown table; columns whose header ends in ':' are right-aligned (the colon is dropped).</summary>
public sealed class MarkdownTable
{
    private readonly List<string> headers;
    private readonly List<bool> right;
    private readonly List<string[]> rows = [];

    public MarkdownTable(params string[] headers)
    {
        this.headers = headers.Select(h => h.EndsWith(':') ? h[..^1] : h).ToList();
        right = headers.Select(h => h.EndsWith(':')).ToList();
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Count)
        {
            throw new ArgumentException($"expected {headers.Count} cells, got {cells.Length}.", nameof(cells));
        }

        rows.Add(cells);
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(3, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToList();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            sb.Append('|');
            for (var i = 0; i < cells.Count; i++)
            {
                sb.Append(' ').Append(right[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])).Append(" |");
            }

            sb.Append('\n');
        }

        Line(headers);
        sb.Append('|');
        for (var i = 0; i < headers.Count; i++)
        {
            sb.Append(' ').Append(right[i] ? new string('-', widths[i] - 1) + ":" : new string('-', widths[i])).Append(" |");
        }

        sb.Append('\n');
        foreach (var r in rows)
        {
            Line(r);
        }

        return sb.ToString();
    }
}
