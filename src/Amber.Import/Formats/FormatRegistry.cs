namespace Amber.Import.Formats;

/// <summary>Every format in this assembly, in detection order (the most specific first).</summary>
public static class FormatRegistry
{
    private static readonly Lazy<IReadOnlyList<IConversationFormat>> Formats = new(() => typeof(FormatRegistry).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConversationFormat).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IConversationFormat)Activator.CreateInstance(t)!)
        .OrderBy(f => f.DetectionOrder)
        .ThenBy(f => f.Name, StringComparer.Ordinal)
        .ToList());

    public static IReadOnlyList<IConversationFormat> All => Formats.Value;

    public static IReadOnlyList<string> Names => All.Select(f => f.Name).ToList();

    /// <summary>The first of <paramref name="formats"/> that recognizes <paramref name="input"/> by its first 64 KiB, or null.</summary>
    public static IConversationFormat? Detect(ImportInput input, IEnumerable<IConversationFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(input);
        var head = new byte[64 << 10];
        int n;
        using (var s = input.Open())
        {
            n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        return formats.FirstOrDefault(f => Recognizes(f, input, head.AsSpan(0, n)));
    }

    /// <summary>
    /// One format's detector; a head whose member names are not text (invalid UTF-8, an escaped lone surrogate) makes
    /// the reader's name comparisons throw <see cref="InvalidOperationException"/>: that head is not the format's.
    /// Found by fuzzing (Claude's and Claude Code's detectors); the rule is here once rather than in every detector.
    /// </summary>
    private static bool Recognizes(IConversationFormat format, ImportInput input, ReadOnlySpan<byte> head)
    {
        try
        {
            return format.Detect(input, head);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
