using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats;

/// <summary>
/// Says why a file fits no format: what its first record looks like, and the closest formats (those whose
/// <see cref="FormatShape"/> shares most keys with it, then the largest share of its keys) with what each expected
/// that the file lacks.
/// </summary>
public static class FormatDiagnosis
{
    /// <summary>Formats named as closest, at most.</summary>
    private const int Closest = 3;

    /// <summary>Keys of the file's first record named in the message, at most.</summary>
    private const int KeysShown = 8;

    /// <summary>The reason a file was not imported: "no format fits: its first record … ; closest: X (expects …; lacks …)".</summary>
    public static string Explain(ImportInput input, IReadOnlyList<IConversationFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(formats);
        var head = ReadHead(input);
        var shape = RecordShape.Read(head);
        if (shape is null)
        {
            return input.Length == 0
                ? "the file is empty"
                : "the file does not start with a JSON object or array (nor is it a SQLite database a format reads)";
        }

        var keys = shape.Keys.ToHashSet(StringComparer.Ordinal);
        var observed = $"its first record ({(shape.InArray ? "in a JSON array" : "a JSON object or line")}) has keys {List(shape.Keys)}";
        var ranked = formats
            .Select(f => (Format: f, f.Shape, Shared: f.Shape?.Keys.Count(keys.Contains) ?? 0))
            .Where(r => r.Shape is { Keys.Count: > 0 } && r.Shared > 0)
            .OrderByDescending(r => r.Shared)
            .ThenByDescending(r => (double)r.Shared / r.Shape!.Keys.Count)
            .ThenByDescending(r => r.Shape!.InArray is null || r.Shape.InArray == shape.InArray)
            .Take(Closest)
            .ToList();
        if (ranked.Count == 0)
        {
            return $"no known format fits: {observed}, and no format expects any of them";
        }

        var why = ranked.Select(r => $"{r.Format.Name} expects {r.Shape!.Description}{Lacks(r.Shape, keys, shape.InArray)}");
        return $"no known format fits: {observed}. Closest: {string.Join("; ", why)}";
    }

    /// <summary>What a format expects, for `--format X` on a file of another shape.</summary>
    public static string Expects(IConversationFormat format)
        => format.Shape is { } s ? $"--format {format.Name} expects {s.Description}." : $"--format {format.Name} did not recognize this file.";

    private static string Lacks(FormatShape expected, HashSet<string> keys, bool inArray)
    {
        var missing = expected.Keys.Where(k => !keys.Contains(k)).ToList();
        var parts = new List<string>();
        if (expected.InArray is { } a && a != inArray)
        {
            parts.Add(a ? "the file is not a JSON array" : "the file is a JSON array");
        }

        if (missing.Count > 0)
        {
            parts.Add("the file lacks " + List(missing));
        }

        return parts.Count == 0 ? " (its keys are there, but the records do not have its shape)" : " (" + string.Join(", ", parts) + ")";
    }

    private static string List(IEnumerable<string> keys)
    {
        var all = keys.ToList();
        var shown = string.Join(", ", all.Take(KeysShown).Select(k => "\"" + k + "\""));
        return all.Count == 0 ? "none" : all.Count > KeysShown ? $"{shown}, … ({all.Count} in all)" : shown;
    }

    private static byte[] ReadHead(ImportInput input)
    {
        var head = new byte[64 << 10];
        using var s = input.Open();
        var n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return head[..n];
    }
}
