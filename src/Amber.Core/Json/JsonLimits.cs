namespace Amber.Core.Json;

/// <summary>
/// The archive's one JSON nesting limit, and the sizes derived from it. Importers refuse a source record
/// nested deeper than <see cref="MaxDepth"/>; whatever parses stored JSON accepts <see cref="StoredMaxDepth"/>
/// (a record's values sit a few levels deeper inside a node); whatever writes it out (the API, `--json`)
/// accepts <see cref="OutputMaxDepth"/> (a node sits inside the response's envelope), so no reader fails
/// on anything the archive can hold.
/// </summary>
public static class JsonLimits
{
    /// <summary>The deepest nesting of one imported record (an array or object inside another counts one level).</summary>
    public const int MaxDepth = 1000;

    /// <summary>The deepest stored JSON (a node, a record) that parsers of the archive accept; archives written before the limit hold at most this.</summary>
    public const int StoredMaxDepth = MaxDepth + 24;

    /// <summary>The deepest JSON readers write out: a stored node inside the envelope of a response.</summary>
    public const int OutputMaxDepth = StoredMaxDepth + 16;

    /// <summary>The largest single message (one node's canonical JSON) an importer stores; see docs/ARCHITECTURE.md §11.</summary>
    public const int MaxNodeBytes = 64 << 20;
}
