using System.Collections.Concurrent;
using Amber.Core.Model;
using Amber.Viewer.Html;

namespace Amber.Viewer.Rendering;

/// <summary>
/// Rendered content by node id. A node's id is the hash of its content, so an entry never goes stale; the
/// cache is only bounded (cleared when it passes <see cref="Capacity"/> entries or 64 MiB of HTML).
/// </summary>
public sealed class RenderCache
{
    public const int Capacity = 100_000;
    private const long MaxChars = 32L << 20;
    private readonly ConcurrentDictionary<string, SafeHtml> entries = new(StringComparer.Ordinal);
    private long chars;
    private int count; // ConcurrentDictionary.Count takes every lock, so the size is tracked here

    public SafeHtml Content(string nodeId, Node node)
    {
        if (entries.TryGetValue(nodeId, out var html))
        {
            return html;
        }

        html = ContentRenderer.Render(node.Content);
        if (Interlocked.Increment(ref count) > Capacity || Interlocked.Add(ref chars, html.Value.Length) > MaxChars)
        {
            entries.Clear();
            Interlocked.Exchange(ref count, 1);
            Interlocked.Exchange(ref chars, html.Value.Length);
        }

        entries[nodeId] = html;
        return html;
    }
}
